// ParleyCore
