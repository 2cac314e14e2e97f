"""The seat's camera, microphone and speaker through Qt Multimedia; choosing and checking
them."""
