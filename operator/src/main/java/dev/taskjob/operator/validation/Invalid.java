package dev.taskjob.operator.validation;

/**
 * Why a TaskJob cannot start: the condition reason (CamelCase), the spec field at fault and a
 * message that names it. {@code mayResolveItself} is true when the input may appear without a spec
 * change (a ConfigMap or Secret created later), so the operator checks again.
 */
public record Invalid(String reason, String field, String message, boolean mayResolveItself) {

  public static final String UNKNOWN_PROVIDER = "UnknownProvider";
  public static final String PROVIDER_NOT_ALLOWED = "ProviderNotAllowed";
  public static final String UNREADABLE_FIELD = "UnreadableField";
  public static final String UNKNOWN_REGION = "UnknownRegion";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String INVALID_CONSTRAINTS = "InvalidConstraints";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String SECRET_NOT_ALLOWED = "SecretNotAllowed";
  public static final String NO_MATCHING_INSTANCE_TYPE = "NoMatchingInstanceType";
  public static final String BUDGET_TOO_LOW = "BudgetTooLow";
  public static final String CLOUD_UNAVAILABLE = "CloudUnavailable";
  public static final String WORKER_IMAGE_NOT_CONFIGURED = "WorkerImageNotConfigured";
}
