"""A simulated citizen: a real websocket client and a real aiortc peer, driven by a script.

``SimulatedCitizen`` (``contact``) goes through one contact as its
``CitizenScript`` (``script``) says, as the web page, the mini-program and the
kiosks do, and returns a ``CitizenReport`` of everything it saw; once in a call it is
its ``CitizenCall`` (``call``) that follows the call and rates it. Its media are
a ``CitizenPeer`` (``peer``), with its shared screen a ``ScreenSharing``
(``screen_share``); its chat a ``CitizenChat`` (``chat``), its document photos a
``CitizenMaterials`` (``materials``). Its connection to the hub, with resumes, is a
``CitizenLink`` (``link``); what the hub's messages tell of the contact is noted in the
report by ``wire_facts``. ``sandbox.sim_cli`` (``seat-sim``) runs many of them.
"""

from sandbox.citizen.contact import SimulatedCitizen
from sandbox.citizen.script import RECORDING_NOTICE, CitizenReport, CitizenScript

__all__ = ["RECORDING_NOTICE", "CitizenReport", "CitizenScript", "SimulatedCitizen"]
