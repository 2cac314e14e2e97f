"""Task plugins on screen: the plugin tab with one page per plugin serving the contact.
"""
