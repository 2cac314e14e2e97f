"""A simulated self-service kiosk (莞家政务自助终端) that calls the agent and can be assisted.

``app`` is the kiosk's Qt window, ``peer`` its call (a caller like a
citizen, sharing its screen and taking the agent's input over the
``assist`` data channel), ``screen_track`` the shared screen, ``printer``
the printer that writes PDFs to a folder, ``id_card`` the ID-card reader
and face scanner, ``control`` the consent gate, ``cli`` the command line
(``python -m sandbox.kiosk``).
"""
