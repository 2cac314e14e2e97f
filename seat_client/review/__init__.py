"""Pre-review (材料预审): the checklist of one work order, annotations on its material images
with undo, the verdict, the desk that follows the call in hand, and the printable notice.
"""
