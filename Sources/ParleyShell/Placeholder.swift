// ParleyShell
