-- Argo CD health check for taskjob.dev/InstancePool (install: argocd-cm.yaml in this directory).
--   Progressing  the operator has not yet seen this generation, or instances are being created,
--                replaced or removed to reach spec.count (also while the pool is Terminating)
--   Healthy      condition Ready (phase Ready): spec.count instances are running
--   Degraded     phase Failed, or condition Failed or Stalled: no instance type meets the
--                constraints, or the cloud refuses in a way retrying will not fix
--   Suspended    spec.count is 0 and no instance is left: nothing runs until count is raised
-- Written for Lua 5.1 as Argo CD runs it: no os or io libraries.
local hs = {}

local function condition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function explain(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the InstancePool"
  return hs
end

local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local phase = status.phase
local failed = condition(status, "Failed")
local stalled = condition(status, "Stalled")
if phase == "Failed" or isTrue(failed) or isTrue(stalled) then
  hs.status = "Degraded"
  if isTrue(failed) then
    hs.message = explain(failed, "The InstancePool failed")
  else
    hs.message = explain(stalled, status.message or "The InstancePool failed")
  end
  return hs
end

local wanted = 0
if obj.spec ~= nil and obj.spec.count ~= nil then
  wanted = obj.spec.count
end
local running = status.running or 0
local pending = status.pending or 0
local terminating = status.terminating or 0

if phase == "Terminating" then
  hs.status = "Progressing"
  hs.message = "Terminating: " .. (running + pending + terminating) .. " instances left"
  return hs
end

if wanted == 0 and running == 0 and pending == 0 and terminating == 0 then
  hs.status = "Suspended"
  hs.message = "spec.count is 0: no instances wanted"
  return hs
end

local ready = condition(status, "Ready")
if isTrue(ready) or (ready == nil and phase == "Ready") then
  hs.status = "Healthy"
  hs.message = running .. "/" .. wanted .. " instances running"
  if status.instanceType ~= nil then
    hs.message = hs.message .. " (" .. status.instanceType .. ")"
  end
  return hs
end

hs.status = "Progressing"
hs.message = running .. "/" .. wanted .. " instances running, " .. pending .. " pending, "
    .. terminating .. " terminating"
local capacity = condition(status, "CapacityLimited")
if isTrue(capacity) then
  hs.message = hs.message .. "; " .. explain(capacity, "capacity limited")
end
return hs
