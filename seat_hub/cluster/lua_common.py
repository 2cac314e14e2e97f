"""The Lua prelude every queue and dispatch script starts with: reading and checking the
agent, contact and offer hashes, keeping the agent indexes, and appending to the party
streams and the ledger stream.

Conventions of every script (``scripts.py`` loads them): ``KEYS[1]`` is the ledger stream
(it names the hash slot, so the script is routed right under Redis Cluster too; every other
key shares its ``{seat}`` tag), ``ARGV[1]`` is the key prefix, the script's own arguments
follow, and it answers one JSON object. A hash that cannot be read (a missing field, a
number that is not one, a state no script writes) raises ``malformed <key>: …`` before the
script has written anything for that step, so a bad value is an error naming its key,
never a half-made change. Times are whole milliseconds, written with ``%.0f`` so no
number passes through Lua's 14-digit ``tostring``; a time argument left empty is read from
Redis's clock (``TIME``), the one clock all the hubs of a city share.

Indexes of an agent, kept by ``save_agent``: ``staff:<skill>`` holds the agents who could
take a contact of the skill (``acd.could_take``: ready, ringing, on a call or in wrap-up, in
a routed mode), ``ready:<skill>`` those who may be offered one now (``acd.can_take_now``),
scored by idle-since; equal scores order by agent id, as ``acd.choose_agent`` breaks ties;
``routed:<skill>`` those logged in (any state but offline) in a routed mode, whose presence
holds back the agent who handed a contact to the skill's queue (``acd.held_back``).
``excluding`` holds the queued contacts that have exclusions, so the reset rule is checked
for those only.
"""

from __future__ import annotations

PRELUDE = r"""
local P = ARGV[1]
local ROUTED = {video = true, combined = true}
local WORKING = {ready = true, ringing = true, on_call = true, wrap_up = true}
local STATES = {offline = true, ready = true, ringing = true, on_call = true,
                wrap_up = true, away = true, counter = true}
local CONTACT_STATES = {queued = true, parked = true, offered = true}

local function bad(key, what)
  error({err = 'ERR malformed ' .. key .. ': ' .. what})
end

local function ms(n)
  return string.format('%.0f', n)
end

-- A time argument: whole ms of the caller's clock, or '' for Redis's own (one clock for
-- every hub of the city).
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function read_hash(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

local function need(key, t, field)
  local v = t[field]
  if v == nil then bad(key, field .. ' is missing') end
  return v
end

local function need_num(key, t, field)
  local v = need(key, t, field)
  local n = tonumber(v)
  if n == nil or n ~= n then bad(key, field .. ' is not a number: ' .. v) end
  return n
end

local function split(s)
  local out = {}
  for part in string.gmatch(s, '[^,]+') do out[#out + 1] = part end
  return out
end

local function get_agent(id)
  local key = P .. 'agent:' .. id
  local h = read_hash(key)
  if next(h) == nil then return nil end
  local a = {id = id, key = key, state = need(key, h, 'state'), mode = need(key, h, 'mode'),
             skills = need(key, h, 'skills'), idle = need_num(key, h, 'idle_since'),
             since = need_num(key, h, 'since'), missed = need_num(key, h, 'missed'),
             party = need(key, h, 'party'), reason = h.reason or '', offer = h.offer or '',
             call = h.call or '', wrap_up = h.wrap_up or '', wrap_party = h.wrap_party or ''}
  if not STATES[a.state] then bad(key, 'state is ' .. a.state) end
  if not (ROUTED[a.mode] or a.mode == 'counter') then bad(key, 'mode is ' .. a.mode) end
  return a
end

local function index_agent(a, skills_csv)
  for _, s in ipairs(split(skills_csv)) do
    if WORKING[a.state] and ROUTED[a.mode] then
      redis.call('SADD', P .. 'staff:' .. s, a.id)
    else
      redis.call('SREM', P .. 'staff:' .. s, a.id)
    end
    if a.state == 'ready' and ROUTED[a.mode] then
      redis.call('ZADD', P .. 'ready:' .. s, ms(a.idle), a.id)
    else
      redis.call('ZREM', P .. 'ready:' .. s, a.id)
    end
    if a.state ~= 'offline' and ROUTED[a.mode] then
      redis.call('SADD', P .. 'routed:' .. s, a.id)
    else
      redis.call('SREM', P .. 'routed:' .. s, a.id)
    end
    redis.call('SADD', P .. 'skills', s)
  end
end

local function save_agent(a)
  redis.call('HSET', a.key, 'state', a.state, 'mode', a.mode, 'skills', a.skills,
             'idle_since', ms(a.idle), 'since', ms(a.since), 'missed', ms(a.missed),
             'party', a.party, 'reason', a.reason, 'offer', a.offer, 'call', a.call,
             'wrap_up', a.wrap_up, 'wrap_party', a.wrap_party)
  index_agent(a, a.skills)
end

local function set_agent_state(a, state, reason, now)
  if state == 'ready' then a.idle = now end
  a.state = state
  if state == 'away' then a.reason = reason else a.reason = '' end
  a.since = now
end

local function back_to_work(a, now)
  if ROUTED[a.mode] then set_agent_state(a, 'ready', '', now)
  else set_agent_state(a, 'counter', '', now) end
end

local function get_contact(wo)
  local key = P .. 'contact:' .. wo
  local h = read_hash(key)
  if next(h) == nil then return nil end
  local c = {wo = wo, key = key, skill = need(key, h, 'skill'),
             priority = need(key, h, 'priority'), queued_at = need_num(key, h, 'queued_at'),
             seq = need_num(key, h, 'seq'), score = need_num(key, h, 'score'),
             state = need(key, h, 'state'), party = need(key, h, 'party'),
             transferred = need(key, h, 'transferred'),
             transferred_by = need(key, h, 'transferred_by'), offer = h.offer or ''}
  if not CONTACT_STATES[c.state] then bad(key, 'state is ' .. c.state) end
  if c.transferred ~= '0' and c.transferred ~= '1' then
    bad(key, 'transferred is ' .. c.transferred)
  end
  if c.transferred_by ~= '' and c.transferred ~= '1' then
    bad(key, 'transferred_by ' .. c.transferred_by .. ' on a contact not transferred')
  end
  return c
end

local function get_offer(call)
  local key = P .. 'offer:' .. call
  local h = read_hash(key)
  if next(h) == nil then return nil end
  return {call = call, key = key, wo = need(key, h, 'work_order_id'),
          agent = need(key, h, 'agent_id'), party = need(key, h, 'citizen'),
          deadline = need_num(key, h, 'deadline')}
end

local function send(party, kind, body)
  redis.call('XADD', P .. 'to:' .. party, 'MAXLEN', '~', '500', '*',
             'type', kind, 'body', cjson.encode(body))
end

local function ledger(op, body)
  redis.call('XADD', KEYS[1], '*', 'op', op, 'body', cjson.encode(body))
end

-- The contact waits again at its place (its score kept); exclusions make it a reset
-- candidate.
local function requeue(c)
  c.state = 'queued'
  redis.call('HSET', c.key, 'state', 'queued', 'offer', '')
  redis.call('ZADD', P .. 'queue:' .. c.skill, ms(c.score), c.wo)
  if redis.call('SCARD', P .. 'excl:' .. c.wo) > 0 then
    redis.call('SADD', P .. 'excluding', c.wo)
  end
end

local RESULTS = {timeout = 'timeout', declined = 'declined', citizen_left = 'withdrawn',
                 agent_left = 'agent_left'}

-- End an unanswered offer (as dispatch.withdraw_offer): the contact waits again (unless
-- the citizen left), the agent moves on. ``max_missed`` counts for timeouts only.
local function withdraw(o, a, c, reason, now, max_missed)
  redis.call('DEL', o.key)
  redis.call('ZREM', P .. 'rings', o.call)
  ledger('record_offer_result', {call_id = o.call, result = RESULTS[reason], at = now})
  if c ~= nil then
    if reason == 'timeout' or reason == 'declined' then
      redis.call('SADD', P .. 'excl:' .. c.wo, a.id)
    end
    if reason ~= 'citizen_left' then requeue(c) end
  end
  a.offer = ''
  if reason == 'agent_left' then
    save_agent(a)
    return a.state
  end
  send(a.party, 'offer_withdrawn', {call_id = o.call, reason = reason})
  if reason == 'timeout' then a.missed = a.missed + 1 end
  if reason == 'timeout' and a.missed >= max_missed then
    set_agent_state(a, 'away', 'missed_offers', now)
  else
    back_to_work(a, now)
  end
  save_agent(a)
  return a.state
end

local function answer(t)
  return cjson.encode(t)
end
"""
