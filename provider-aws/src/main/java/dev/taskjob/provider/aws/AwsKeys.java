package dev.taskjob.provider.aws;

/** {@link dev.taskjob.core.cloud.ProviderConfig} properties only the aws provider reads. */
public final class AwsKeys {
  /** Comma-separated subnet ids to launch into (one per zone used); default: the default VPC's subnets. */
  public static final String SUBNET_IDS = "aws.subnetIds";
  /** Comma-separated security group ids; default: the VPC's default group. */
  public static final String SECURITY_GROUP_IDS = "aws.securityGroupIds";
  /** Endpoint override for the Pricing API (else {@code aws.endpoint}, else AWS's). */
  public static final String PRICING_ENDPOINT = "aws.pricingEndpoint";
  /**
   * Owner of the default boot images (Canonical: 099720109477; 513442679011 in GovCloud, 837727238323 in
   * China). The default image is the newest Ubuntu 24.04 LTS of this owner for the type's architecture.
   */
  public static final String DEFAULT_IMAGE_OWNER = "aws.defaultImageOwner";
  public static final String CANONICAL_OWNER = "099720109477";
  /** Attempts per EC2 call, including the first (default 8; backoff with jitter between them). */
  public static final String MAX_ATTEMPTS = "aws.maxAttempts";

  private AwsKeys() {}
}
