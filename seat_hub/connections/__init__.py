"""How parties reach the hub: the websocket server at the border, one session per connection,
the front desk (login, who may send what), flood control, the seat registry and the
citizen web page served beside the websocket.
"""
