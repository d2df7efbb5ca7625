"""Pure readers and writers of file formats: bytes in, frozen dataclasses out (and back).

Nothing here imports Django or the rest of skrivbord (DESIGN.md §6).
"""
