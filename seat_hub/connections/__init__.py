"""The hub's border: the websocket server where frames come in, the front desk (login,
who may send what, which handler a message goes to), flood control, and the citizen web
page served beside the websocket.
"""
