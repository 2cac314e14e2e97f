"""The Lua scripts of the queue and of agent presence: ``join``, ``park``, ``abandon``,
``log_in``, ``set_state``, ``set_mode``, ``put_agent``, ``log_out`` (the prelude is
``lua_common``).

Each checks the state first and answers ``{"status": …}``: a repeated call (a retry after a
failover, a message sent twice) finds the work already done and changes nothing.
"""

from __future__ import annotations

# ARGV: prefix, work order, skill, priority, queued_at ms, citizen party, transferred 0/1,
# excluded agents (comma-separated), the agent who handed the contact to this queue ('' if
# none; held back from it by ``dispatch`` as ``acd.held_back``).
JOIN = r"""
local wo, skill, priority, queued_at = ARGV[2], ARGV[3], ARGV[4], clock(ARGV[5])
local party, transferred, excluded, transferred_by = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local old = get_contact(wo)
if old ~= nil then
  return answer({status = 'exists', seq = old.seq,
                 position = (redis.call('ZRANK', P .. 'queue:' .. old.skill, wo) or -1) + 1})
end
local band = 2
if transferred == '1' then band = 0
elseif priority == 'elderly' or priority == 'disabled' then band = 1 end
local score = band * 1e13 + queued_at
local seq = redis.call('INCR', P .. 'seq')
redis.call('HSET', P .. 'contact:' .. wo, 'skill', skill, 'priority', priority,
           'queued_at', ms(queued_at), 'seq', seq, 'score', ms(score), 'state', 'queued',
           'party', party, 'transferred', transferred, 'transferred_by', transferred_by,
           'offer', '')
redis.call('ZADD', P .. 'queue:' .. skill, ms(score), wo)
redis.call('SADD', P .. 'skills', skill)
local agents = split(excluded)
if #agents > 0 then
  redis.call('SADD', P .. 'excl:' .. wo, unpack(agents))
  redis.call('SADD', P .. 'excluding', wo)
end
return answer({status = 'queued', seq = seq,
               position = redis.call('ZRANK', P .. 'queue:' .. skill, wo) + 1})
"""

# ARGV: prefix, work order, 'parked' or 'queued'. A parked contact keeps its place but is
# not offered (its citizen's link dropped); ``queued`` is the citizen back.
PARK = r"""
local wo, to = ARGV[2], ARGV[3]
local c = get_contact(wo)
if c == nil then return answer({status = 'gone'}) end
if c.state == 'offered' then return answer({status = 'offered'}) end
if c.state == to then return answer({status = 'unchanged'}) end
redis.call('HSET', c.key, 'state', to)
if to == 'parked' then
  redis.call('SREM', P .. 'excluding', wo)
elseif redis.call('SCARD', P .. 'excl:' .. wo) > 0 then
  redis.call('SADD', P .. 'excluding', wo)
end
return answer({status = to})
"""

# ARGV: prefix, work order, now ms. The citizen left before an answer: an offer ringing
# for them is withdrawn, the contact is gone, the ledger hears of it.
ABANDON = r"""
local wo, now = ARGV[2], clock(ARGV[3])
local c = get_contact(wo)
if c == nil then return answer({status = 'gone'}) end
local call, agent, agent_state = '', '', ''
if c.state == 'offered' then
  local o = get_offer(c.offer)
  if o ~= nil then
    local a = get_agent(o.agent)
    if a == nil then bad(o.key, 'agent ' .. o.agent .. ' has no hash') end
    call, agent = o.call, a.id
    agent_state = withdraw(o, a, nil, 'citizen_left', now, 0)
  end
end
redis.call('ZREM', P .. 'queue:' .. c.skill, wo)
redis.call('SREM', P .. 'excluding', wo)
redis.call('DEL', c.key, P .. 'excl:' .. wo)
ledger('abandon', {work_order_id = wo, at = now})
return answer({status = 'abandoned', call_id = call, agent_id = agent,
               agent_state = agent_state})
"""

# ARGV: prefix, agent, party, mode, skills (comma-separated), now ms. A new session of the
# agent: away (counter for a counter seat), or in wrap-up if one is owed; an agent who is
# ringing or in a call (their hub died, they came back) keeps that state and only moves
# their party.
LOG_IN = r"""
local id, party, mode, skills, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], clock(ARGV[6])
local a = get_agent(id)
if a ~= nil and (a.state == 'ringing' or a.state == 'on_call') then
  a.party = party
  save_agent(a)
  return answer({status = 'kept', state = a.state})
end
if a == nil then
  a = {id = id, key = P .. 'agent:' .. id, missed = 0, reason = '', offer = '', call = '',
       wrap_up = '', wrap_party = '', idle = now}
else
  a.state = 'offline'
  index_agent(a, a.skills)
end
a.party, a.mode, a.skills, a.since, a.idle, a.reason = party, mode, skills, now, now, ''
a.missed = 0  -- a new session starts the count of missed offers in a row again
if a.wrap_up ~= '' then
  a.state = 'wrap_up'
elseif ROUTED[mode] then
  a.state = 'away'
else
  a.state = 'counter'
end
save_agent(a)
return answer({status = 'logged_in', state = a.state})
"""

# ARGV: prefix, agent, 'ready' or 'away', reason, now ms (as presence.on_set_state).
SET_STATE = r"""
local id, to, reason, now = ARGV[2], ARGV[3], ARGV[4], clock(ARGV[5])
local a = get_agent(id)
if a == nil or a.state == 'offline' then
  return answer({status = 'refused', code = 'no_such_agent', state = ''})
end
if a.state == 'ringing' or a.state == 'on_call' or a.state == 'wrap_up' then
  return answer({status = 'refused', code = 'bad_state', state = a.state})
end
if not ROUTED[a.mode] then
  return answer({status = 'refused', code = 'bad_state', state = a.state})
end
if a.state == to and (to == 'ready' or a.reason == reason) then
  return answer({status = 'unchanged', state = a.state})
end
if to == 'ready' and a.state == 'away' then a.missed = 0 end
set_agent_state(a, to, reason, now)
save_agent(a)
return answer({status = 'ok', state = a.state})
"""

# ARGV: prefix, agent, mode, now ms (as presence.on_set_mode, walk-ins aside: a counter
# seat leaves routing; during a call the switch takes effect after its wrap-up).
SET_MODE = r"""
local id, mode, now = ARGV[2], ARGV[3], clock(ARGV[4])
local a = get_agent(id)
if a == nil or a.state == 'offline' then
  return answer({status = 'refused', code = 'no_such_agent', state = ''})
end
if a.state == 'ringing' then
  return answer({status = 'refused', code = 'bad_state', state = a.state})
end
if a.mode == mode then return answer({status = 'unchanged', state = a.state}) end
a.mode = mode
if not ROUTED[mode] and (a.state == 'ready' or a.state == 'away') then
  set_agent_state(a, 'counter', '', now)
elseif ROUTED[mode] and a.state == 'counter' then
  set_agent_state(a, 'away', '', now)
end
save_agent(a)
return answer({status = 'ok', state = a.state})
"""

# ARGV: prefix, agent, party, state, mode, skills, idle_since ms, now ms. Writes an agent as
# a client says it is: the live state rebuilt after Redis was lost whole.
PUT_AGENT = r"""
local id, party, state, mode, skills = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local idle, now = tonumber(ARGV[7]), clock(ARGV[8])
local a = get_agent(id)
if a ~= nil then
  a.state = 'offline'
  index_agent(a, a.skills)
else
  a = {id = id, key = P .. 'agent:' .. id, missed = 0, reason = '', offer = '', call = '',
       wrap_up = '', wrap_party = ''}
end
a.party, a.state, a.mode, a.skills, a.idle, a.since = party, state, mode, skills, idle, now
save_agent(a)
return answer({status = 'ok', state = state})
"""

# ARGV: prefix, agent, now ms. The agent is gone: an offer ringing at the seat goes back to
# the queue (no exclusion), the agent is offline (a wrap-up owed stays owed). Refused in a
# call: the call is ended first.
LOG_OUT = r"""
local id, now = ARGV[2], clock(ARGV[3])
local a = get_agent(id)
if a == nil or a.state == 'offline' then return answer({status = 'gone', call_id = ''}) end
if a.state == 'on_call' then return answer({status = 'refused', call_id = a.call}) end
local call = ''
if a.state == 'ringing' then
  local o = get_offer(a.offer)
  if o ~= nil then
    call = o.call
    withdraw(o, a, get_contact(o.wo), 'agent_left', now, 0)
  end
end
a.state, a.since, a.offer = 'offline', now, ''
save_agent(a)
redis.call('HDEL', a.key, 'hand', 'hand_since', 'hand_answered_by')  -- a raised hand goes too
return answer({status = 'logged_out', call_id = call})
"""
