package dev.taskjob.provider.aws;

/** {@link dev.taskjob.core.cloud.ProviderConfig} properties only the aws provider reads. */
public final class AwsKeys {
  /** Comma-separated subnet ids to launch into (one per zone used); default: the default VPC's subnets. */
  public static final String SUBNET_IDS = "aws.subnetIds";
  /** Comma-separated security group ids; default: the VPC's default group. */
  public static final String SECURITY_GROUP_IDS = "aws.securityGroupIds";
  /** Endpoint override for the Pricing API (else {@code aws.endpoint}, else AWS's). */
  public static final String PRICING_ENDPOINT = "aws.pricingEndpoint";
  /** Attempts per EC2 call, including the first (default 8; backoff with jitter between them). */
  public static final String MAX_ATTEMPTS = "aws.maxAttempts";

  /**
   * Minutes an answer of {@code GetSpotPlacementScores} is used before the same request is made again
   * (default 60); 0 never asks, and the ranking uses the observed rate, the user's hint or the default prior.
   */
  public static final String PLACEMENT_SCORES_REFRESH_MINUTES = "aws.placementScoresRefreshMinutes";

  private AwsKeys() {}
}
