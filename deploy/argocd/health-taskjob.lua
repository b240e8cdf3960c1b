-- Argo CD health check for taskjob.dev/TaskJob (install: argocd-cm.yaml in this directory).
--   Progressing  the operator has not yet seen this generation, or the job is Pending, Loading,
--                Running or Draining (the message says how far it is)
--   Healthy      phase Succeeded (condition Complete)
--   Degraded     phase Failed (condition Failed), or the operator reports Stalled: it cannot go on
--                without a change to the spec or the cloud account
--   Suspended    phase Suspended (spec.suspend is true), or condition BudgetExhausted: the job waits,
--                queue and ledger kept, until a person resumes it or raises spec.budget.maxCost; or a
--                dry run that is priced (condition Planned): it waits for spec.dryRun to be set false
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

local function finishedTasks(status)
  if status.total == nil then
    return nil
  end
  local text = ((status.succeeded or 0) + (status.failed or 0)) .. "/" .. status.total .. " tasks finished"
  if status.failed ~= nil and status.failed > 0 then
    text = text .. ", " .. status.failed .. " failed"
  end
  return text
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the TaskJob"
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
if phase == "Failed" or isTrue(failed) then
  hs.status = "Degraded"
  hs.message = explain(failed, status.message or "The TaskJob failed")
  return hs
end

local stalled = condition(status, "Stalled")
if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = explain(stalled, "The operator cannot make progress")
  return hs
end

if phase == "Succeeded" or isTrue(condition(status, "Complete")) then
  hs.status = "Healthy"
  hs.message = finishedTasks(status) or "All tasks finished"
  return hs
end

if phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = "Suspended (spec.suspend is true)"
  local finished = finishedTasks(status)
  if finished ~= nil then
    hs.message = hs.message .. ": " .. finished
  end
  return hs
end

local planned = condition(status, "Planned")
if isTrue(planned) and (phase == nil or phase == "Pending") then
  hs.status = "Suspended"
  hs.message = "Dry run: " .. explain(planned, "priced; see status.plan")
  return hs
end

local budget = condition(status, "BudgetExhausted")
if isTrue(budget) then
  hs.status = "Suspended"
  hs.message = explain(budget, "The job's budget is spent")
  return hs
end

if phase == nil or phase == "Pending" then
  hs.status = "Progressing"
  hs.message = explain(condition(status, "Reconciling"), "Pending")
  return hs
end

if phase == "Loading" then
  hs.status = "Progressing"
  if status.total ~= nil then
    hs.message = "Loading: " .. (status.loaded or 0) .. "/" .. status.total .. " tasks queued"
  else
    hs.message = "Loading"
  end
  return hs
end

if phase == "Running" or phase == "Draining" then
  hs.status = "Progressing"
  hs.message = phase
  local finished = finishedTasks(status)
  if finished ~= nil then
    hs.message = hs.message .. ": " .. finished
  end
  if phase == "Running" and status.eta ~= nil and status.eta ~= "" then
    hs.message = hs.message .. ", ETA " .. status.eta
  end
  return hs
end

hs.status = "Unknown"
hs.message = "Unknown phase " .. tostring(phase)
return hs
