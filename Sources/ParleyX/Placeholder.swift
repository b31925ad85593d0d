// ParleyX
