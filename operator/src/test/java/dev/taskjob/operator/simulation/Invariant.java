package dev.taskjob.operator.simulation;

/**
 * What must hold after every step of every job lifetime. An invariant that today's code breaks names
 * the defect in {@link #knownDefect}; its violations are counted and reported, never hidden, and the
 * mark goes once the defect is fixed.
 */
enum Invariant {
  TASK_ENDS_AS_ITS_PROGRAM_DECIDED("every task that has a result has the one its program decided", null),
  NO_TASK_LOST("a finished job has a final result for every task", null),
  NO_TASK_RUN_AFTER_ITS_JOB_FINISHED("no worker starts or runs a task once its job finished", null),
  NOTHING_OUTLIVES_ITS_JOB("once a job finished, none of its VMs is alive and its queue is deleted (an operator restart"
      + " included)", null),
  POOL_WITHIN_CAPS("the VMs alive never exceed spec.instances' count, vCPUs and $/hour", null),
  JOB_FINISHES("every job finishes within the simulated horizon (no stall)", null),
  COST_IS_THE_BILL("the cost the job reports equals the simulated bill within 1%", null);

  final String description;
  final String knownDefect;

  Invariant(String description, String knownDefect) {
    this.description = description;
    this.knownDefect = knownDefect;
  }
}
