"""The Lua scripts of offers and calls: ``dispatch`` (``acd.plan_dispatch`` carried out in
one step), ``accept``, ``decline``, ``ring_timeout``, ``hang_up``, ``wrap_up_done`` (the
prelude is ``lua_common``).

``dispatch`` is one pass of ``acd.plan_dispatch`` over every queue: first the exclusion
reset (a queued contact whose every candidate agent, ``staff:<skill>``, is among its
exclusions has them cleared), then the queued contacts of the skills that have a ready
agent, in the ACD's order (band, queued_at, then join order), each offered to the longest
idle ready agent of its skill not excluded and not held back (``acd.held_back``: the agent
who handed the contact to this queue, while another agent of the skill is logged in in a
routed mode, ``routed:<skill>``; the reset does not lift it); an agent offered once leaves
the ready sets, so gets one offer per pass. Each offer is written whole (agent, contact,
offer, ring deadline, both parties' streams, the ledger) after everything it reads was
checked.
"""

from __future__ import annotations

# ARGV: prefix, now ms, ring timeout ms, call-id nonce, most offers (0: no bound), queue
# page size.
DISPATCH = r"""
local now, ring_ms, nonce, most = clock(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local page = tonumber(ARGV[6])
local reset = {}
for _, wo in ipairs(redis.call('SMEMBERS', P .. 'excluding')) do
  local c = get_contact(wo)
  if c == nil or c.state ~= 'queued' then
    redis.call('SREM', P .. 'excluding', wo)
  else
    local staff, excl = P .. 'staff:' .. c.skill, P .. 'excl:' .. wo
    local n = redis.call('SCARD', staff)
    if n > 0 and redis.call('SCARD', excl) >= n and #redis.call('SDIFF', staff, excl) == 0 then
      redis.call('DEL', excl)
      redis.call('SREM', P .. 'excluding', wo)
      reset[#reset + 1] = wo
    end
  end
end
local seqs = {}
local function seq_of(wo)
  local s = seqs[wo]
  if s == nil then
    local key = P .. 'contact:' .. wo
    s = tonumber(redis.call('HGET', key, 'seq'))
    if s == nil then bad(key, 'seq is missing or not a number') end
    seqs[wo] = s
  end
  return s
end
local function before(x, y)
  if x.score ~= y.score then return x.score < y.score end
  return seq_of(x.wo) < seq_of(y.wo)
end
-- Each skill's queue is read a page at a time (a page ends where the score changes, so
-- equal scores are ordered by join order within it), and the heads of the skills are
-- merged: a pass reads only as far as it offers or skips, not the whole queue.
local function fill(cur)
  local key = P .. 'queue:' .. cur.skill
  local flat = redis.call('ZRANGE', key, cur.next, cur.next + page - 1, 'WITHSCORES')
  local got = {}
  for i = 1, #flat, 2 do got[#got + 1] = {wo = flat[i], score = tonumber(flat[i + 1])} end
  cur.next = cur.next + #got
  if #got < page then
    cur.last = true
  else
    local tail = got[#got].score
    local run = redis.call('ZRANGE', key, ms(tail), ms(tail), 'BYSCORE')
    local have = 0
    for _, e in ipairs(got) do if e.score == tail then have = have + 1 end end
    for i = have + 1, #run do got[#got + 1] = {wo = run[i], score = tail} end
    cur.next = cur.next + #run - have
  end
  table.sort(got, before)
  cur.entries, cur.i = got, 1
end
local function head(cur)
  while cur.i > #cur.entries do
    if cur.last then return nil end
    fill(cur)
  end
  return cur.entries[cur.i]
end
local active = {}
for _, skill in ipairs(redis.call('SMEMBERS', P .. 'skills')) do
  if redis.call('ZCARD', P .. 'ready:' .. skill) > 0
      and redis.call('ZCARD', P .. 'queue:' .. skill) > 0 then
    active[#active + 1] = {skill = skill, next = 0, entries = {}, i = 1, last = false}
  end
end
local function next_entry()
  local best = nil
  for _, cur in ipairs(active) do
    -- A skill whose ready agents are all offered now is read no further this pass.
    if not cur.last and redis.call('ZCARD', P .. 'ready:' .. cur.skill) == 0 then
      cur.last, cur.entries, cur.i = true, {}, 1
    end
    local e = head(cur)
    if e ~= nil and (best == nil or before(e, head(best))) then best = cur end
  end
  if best == nil then return nil end
  local e = head(best)
  best.i = best.i + 1
  e.cur = best
  return e
end
local function any_ready()
  for _, cur in ipairs(active) do
    if redis.call('ZCARD', P .. 'ready:' .. cur.skill) > 0 then return true end
  end
  return false
end
-- acd.held_back: the agent who handed the contact to this queue, while another agent is
-- logged in (any state) in a routed mode with the skill; '' when nobody is held back.
local function held_back(c)
  local by = c.transferred_by
  if by == '' then return '' end
  local routed = P .. 'routed:' .. c.skill
  local n = redis.call('SCARD', routed)
  if n > 1 or (n == 1 and redis.call('SISMEMBER', routed, by) == 0) then return by end
  return ''
end
local function choose(c)
  local ready, excl = P .. 'ready:' .. c.skill, P .. 'excl:' .. c.wo
  local held = held_back(c)
  local start = 0
  while true do
    local page = redis.call('ZRANGE', ready, start, start + 31)
    if #page == 0 then return nil end
    for _, id in ipairs(page) do
      if id ~= held and redis.call('SISMEMBER', excl, id) == 0 then return id end
    end
    start = start + 32
  end
end
local offers = {}
while (most == 0 or #offers < most) and any_ready() do
  local e = next_entry()
  if e == nil then break end
  local c = get_contact(e.wo)
  if c == nil then
    bad(P .. 'queue:' .. e.cur.skill, 'work order ' .. e.wo .. ' has no contact hash')
  end
  if c.state == 'queued' then
    local id = choose(c)
    if id ~= nil then
      local a = get_agent(id)
      if a == nil or a.state ~= 'ready' then
        bad(P .. 'ready:' .. c.skill, 'agent ' .. id .. ' is not ready')
      end
      local call = 'C-' .. nonce .. string.format('%03x', #offers)
      local deadline = now + ring_ms
      local dispatch_ms = math.max(0, now - math.max(c.queued_at, a.idle))
      redis.call('ZREM', P .. 'queue:' .. c.skill, c.wo)
      e.cur.next = e.cur.next - 1  -- read already: the ranks after it move up by one
      redis.call('SREM', P .. 'excluding', c.wo)
      redis.call('HSET', c.key, 'state', 'offered', 'offer', call)
      redis.call('HSET', P .. 'offer:' .. call, 'work_order_id', c.wo, 'agent_id', a.id,
                 'citizen', c.party, 'skill', c.skill, 'offered_at', ms(now),
                 'deadline', ms(deadline))
      redis.call('ZADD', P .. 'rings', ms(deadline), call)
      a.offer = call
      set_agent_state(a, 'ringing', '', now)
      save_agent(a)
      send(a.party, 'offer', {call_id = call, work_order_id = c.wo, skill = c.skill,
                              priority = c.priority, queued_at = c.queued_at,
                              transferred = c.transferred == '1',
                              ring_timeout_ms = ring_ms})
      send(c.party, 'offered', {call_id = call, work_order_id = c.wo})
      ledger('record_offer', {work_order_id = c.wo, call_id = call, agent_id = a.id,
                              at = now})
      offers[#offers + 1] = {call_id = call, work_order_id = c.wo, agent_id = a.id,
                             citizen = c.party, skill = c.skill, dispatch_ms = dispatch_ms}
    end
  end
end
return answer({offers = offers, reset = reset})
"""

# ARGV: prefix, agent, call, now ms.
ACCEPT = r"""
local id, call, now = ARGV[2], ARGV[3], clock(ARGV[4])
local a = get_agent(id)
if a == nil then return answer({status = 'refused', code = 'no_such_agent'}) end
if a.offer ~= call or a.state ~= 'ringing' then
  if a.call == call and a.state == 'on_call' then
    local k = read_hash(P .. 'call:' .. call)
    return answer({status = 'already', call_id = call, work_order_id = k.work_order_id or '',
                   citizen = k.citizen or ''})
  end
  return answer({status = 'refused', code = 'no_such_call'})
end
local o = get_offer(call)
if o == nil or o.agent ~= id then bad(a.key, 'offer ' .. call .. ' is not ringing here') end
local c = get_contact(o.wo)
if c == nil then bad(o.key, 'work order ' .. o.wo .. ' has no contact hash') end
redis.call('DEL', o.key, c.key, P .. 'excl:' .. c.wo)
redis.call('ZREM', P .. 'rings', call)
redis.call('SREM', P .. 'excluding', c.wo)
redis.call('HSET', P .. 'call:' .. call, 'work_order_id', c.wo, 'agent_id', id,
           'citizen', c.party, 'skill', c.skill, 'started', ms(now))
a.offer, a.call, a.missed = '', call, 0
set_agent_state(a, 'on_call', '', now)
save_agent(a)
send(c.party, 'call_started', {call_id = call, work_order_id = c.wo, call_role = 'caller'})
send(a.party, 'call_started', {call_id = call, work_order_id = c.wo, call_role = 'callee'})
ledger('record_answer', {work_order_id = c.wo, call_id = call, agent_id = id, at = now})
return answer({status = 'started', call_id = call, work_order_id = c.wo, citizen = c.party})
"""

# ARGV: prefix, agent, call, now ms.
DECLINE = r"""
local id, call, now = ARGV[2], ARGV[3], clock(ARGV[4])
local a = get_agent(id)
if a == nil or a.offer ~= call or a.state ~= 'ringing' then
  return answer({status = 'refused', code = 'no_such_call', agent_state = ''})
end
local o = get_offer(call)
if o == nil or o.agent ~= id then bad(a.key, 'offer ' .. call .. ' is not ringing here') end
local state = withdraw(o, a, get_contact(o.wo), 'declined', now, 0)
return answer({status = 'declined', work_order_id = o.wo, agent_state = state})
"""

# ARGV: prefix, now ms, missed offers in a row that send an agent away, most to time out.
RING_TIMEOUT = r"""
local now, max_missed, most = clock(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
local due = redis.call('ZRANGEBYSCORE', P .. 'rings', '-inf', ms(now), 'LIMIT', 0, most)
for _, call in ipairs(due) do
  local o = get_offer(call)
  if o == nil then
    redis.call('ZREM', P .. 'rings', call)
  else
    local a = get_agent(o.agent)
    if a == nil then bad(o.key, 'agent ' .. o.agent .. ' has no hash') end
    local state = withdraw(o, a, get_contact(o.wo), 'timeout', now, max_missed)
    out[#out + 1] = {call_id = call, work_order_id = o.wo, agent_id = a.id,
                     agent_state = state}
  end
end
return answer({timed_out = out})
"""

# ARGV: prefix, call, ended by (citizen/agent/kiosk/hub), now ms.
HANG_UP = r"""
local call, ended_by, now = ARGV[2], ARGV[3], clock(ARGV[4])
local key = P .. 'call:' .. call
local k = read_hash(key)
if next(k) == nil then return answer({status = 'gone'}) end
local wo, id = need(key, k, 'work_order_id'), need(key, k, 'agent_id')
local citizen = need(key, k, 'citizen')
local started = need_num(key, k, 'started')
local a = get_agent(id)
if a == nil then bad(key, 'agent ' .. id .. ' has no hash') end
redis.call('DEL', key)
a.call, a.wrap_up, a.wrap_party = '', wo, citizen
set_agent_state(a, 'wrap_up', '', now)
save_agent(a)
redis.call('HSET', a.key, 'wrap_since', ms(now))  -- the wrap-up limit counts from here
local notice = {call_id = call, work_order_id = wo, ended_by = ended_by, reason = 'hangup'}
send(citizen, 'call_ended', notice)
send(a.party, 'call_ended', notice)
ledger('record_end', {work_order_id = wo, ended_by = ended_by, at = now})
ledger('record_leg', {work_order_id = wo, call_id = call, agent_id = id, answered_at = started,
                      ended_at = now, result = 'ended'})
return answer({status = 'ended', work_order_id = wo, agent_id = id, citizen = citizen})
"""

# ARGV: prefix, agent, work order, outcome, notes, now ms.
WRAP_UP_DONE = r"""
local id, wo, outcome, notes, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], clock(ARGV[6])
local a = get_agent(id)
if a == nil or a.wrap_up ~= wo or wo == '' then
  return answer({status = 'refused', code = 'no_such_work_order', agent_state = ''})
end
local citizen = a.wrap_party
a.wrap_up, a.wrap_party = '', ''
if a.state == 'wrap_up' then back_to_work(a, now) end
save_agent(a)
redis.call('HDEL', a.key, 'wrap_since')
ledger('close_work_order', {work_order_id = wo, outcome = outcome, notes = notes, at = now})
local notice = {work_order_id = wo, outcome = outcome}
send(a.party, 'work_order_closed', notice)
if citizen ~= '' then send(citizen, 'work_order_closed', notice) end
return answer({status = 'closed', agent_state = a.state})
"""
