package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/aws/operator-policy.json against the calls the AWS provider makes, and calls it must refuse.
 * Evaluated with a small IAM evaluator for what this policy uses (Allow/Deny, action and resource
 * globs, StringEquals, StringNotEquals, StringLike); an explicit Deny wins, no match means denied.
 * There is no IAM policy simulator here, so this pins the policy's intent, not AWS's engine.
 */
class AwsPolicyTest {

  private static final String ACCOUNT = "111122223333";
  private static final String REGION = "eu-west-1";
  private static final String CLUSTER = "prod-a";
  private static final String EC2 = "arn:aws:ec2:" + REGION + ":" + ACCOUNT + ":";
  private static final String SQS = "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":";
  private static final String SSM = "arn:aws:ssm:" + REGION + ":" + ACCOUNT + ":";
  private static final Map<String, String> OWN_TAGS = Map.of(
      "aws:RequestTag/taskjob-managed-by", "taskjob-operator", "aws:RequestTag/taskjob-cluster", CLUSTER,
      "ec2:MetadataHttpTokens", "required", "aws:RequestedRegion", REGION);
  private static final Map<String, String> OWN_RESOURCE = Map.of(
      "aws:ResourceTag/taskjob-managed-by", "taskjob-operator", "aws:ResourceTag/taskjob-cluster", CLUSTER,
      "aws:RequestedRegion", REGION);
  private static final Map<String, String> IN_REGION = Map.of("aws:RequestedRegion", REGION);

  static Stream<Arguments> calls() {
    return Stream.of(
        // What the operator does.
        call(true, "ec2:RunInstances", EC2 + "instance/*", OWN_TAGS),
        call(true, "ec2:RunInstances", EC2 + "volume/*", OWN_TAGS),
        call(true, "ec2:RunInstances", EC2 + "network-interface/*", OWN_TAGS),
        call(true, "ec2:RunInstances", EC2 + "spot-instances-request/*", OWN_TAGS),
        call(true, "ec2:RunInstances", "arn:aws:ec2:" + REGION + "::image/ami-0abc", IN_REGION),
        call(true, "ec2:RunInstances", EC2 + "subnet/subnet-1", IN_REGION),
        call(true, "ec2:RunInstances", EC2 + "security-group/sg-1", IN_REGION),
        call(true, "ec2:CreateTags", EC2 + "instance/*", with(OWN_TAGS, "ec2:CreateAction", "RunInstances")),
        call(true, "ec2:TerminateInstances", EC2 + "instance/i-0123", OWN_RESOURCE),
        call(true, "ec2:DeleteVolume", EC2 + "volume/vol-1", OWN_RESOURCE),
        call(true, "ec2:CreateTags", EC2 + "instance/i-0123", with(with(OWN_RESOURCE, "aws:RequestTag/taskjob-stop",
            "scale-in"), "aws:TagKeys", "taskjob-stop")),
        call(true, "ec2:DescribeInstances", "*", IN_REGION),
        call(true, "ec2:DescribeInstanceTypes", "*", IN_REGION),
        call(true, "ec2:DescribeInstanceTypeOfferings", "*", IN_REGION),
        call(true, "ec2:DescribeSpotPriceHistory", "*", IN_REGION),
        call(true, "ec2:DescribeImages", "*", IN_REGION),
        call(true, "ec2:DescribeSubnets", "*", IN_REGION),
        // Spot placement scores, an interruption-rate source (asked in the pool's region only).
        call(true, "ec2:GetSpotPlacementScores", "*", IN_REGION),
        // The ECS-optimized image ids, AWS's public SSM parameters.
        call(true, "ssm:GetParameter", "arn:aws:ssm:" + REGION
            + "::parameter/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id", IN_REGION),
        // The Price List API is served from us-east-1 whatever the job's region.
        call(true, "pricing:GetProducts", "*", Map.of("aws:RequestedRegion", "us-east-1")),
        call(true, "sqs:CreateQueue", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION),
        call(true, "sqs:TagQueue", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION),
        call(true, "sqs:SetQueueAttributes", SQS + "tj-research-sweep-1a2b3c4d-dlq", IN_REGION),
        call(true, "sqs:SendMessage", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION),
        call(true, "sqs:ReceiveMessage", SQS + "tj-research-sweep-1a2b3c4d-events", IN_REGION),
        call(true, "sqs:DeleteMessage", SQS + "tj-research-sweep-1a2b3c4d-events", IN_REGION),
        call(true, "sqs:DeleteQueue", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION),
        call(true, "iam:PassRole", "arn:aws:iam::" + ACCOUNT + ":role/taskjob-worker",
            Map.of("iam:PassedToService", "ec2.amazonaws.com")),
        // A job's secret env values (SsmSecretStore): put at start, deleted with the job.
        call(true, "ssm:PutParameter", SSM + "parameter/taskjob/tj-research-sweep-1a2b3c4d/DB_PASSWORD", IN_REGION),
        call(true, "ssm:GetParametersByPath", SSM + "parameter/taskjob/tj-research-sweep-1a2b3c4d", IN_REGION),
        call(true, "ssm:DeleteParameters", SSM + "parameter/taskjob/tj-research-sweep-1a2b3c4d/DB_PASSWORD", IN_REGION),
        // What it must not be able to do.
        call(false, "ssm:PutParameter", SSM + "parameter/prod/db-password", IN_REGION),
        call(false, "ssm:DeleteParameters", SSM + "parameter/prod/db-password", IN_REGION),
        call(false, "ssm:GetParametersByPath", SSM + "parameter/prod", IN_REGION),
        call(false, "ec2:RunInstances", EC2 + "instance/*", without(OWN_TAGS, "aws:RequestTag/taskjob-cluster")),
        call(false, "ec2:RunInstances", EC2 + "instance/*", with(OWN_TAGS, "aws:RequestTag/taskjob-cluster", "prod-b")),
        call(false, "ec2:RunInstances", EC2 + "instance/*", with(OWN_TAGS, "ec2:MetadataHttpTokens", "optional")),
        call(false, "ec2:CreateTags", EC2 + "instance/i-0123", OWN_TAGS),
        call(false, "ec2:CreateTags", EC2 + "instance/i-0123", with(with(OWN_RESOURCE, "aws:RequestTag/taskjob-stop",
            "scale-in"), "aws:TagKeys", "taskjob-stop,taskjob-cluster")),
        call(false, "ec2:CreateTags", EC2 + "instance/i-0123", with(with(with(OWN_RESOURCE,
            "aws:ResourceTag/taskjob-cluster", "prod-b"), "aws:RequestTag/taskjob-stop", "scale-in"), "aws:TagKeys",
            "taskjob-stop")),
        call(false, "ec2:TerminateInstances", EC2 + "instance/i-0123", IN_REGION),
        call(false, "ec2:TerminateInstances", EC2 + "instance/i-0123",
            with(OWN_RESOURCE, "aws:ResourceTag/taskjob-cluster", "prod-b")),
        call(false, "ec2:StopInstances", EC2 + "instance/i-0123", OWN_RESOURCE),
        call(false, "ec2:DeleteVolume", EC2 + "volume/vol-1", IN_REGION),
        call(false, "ec2:DeleteVolume", EC2 + "volume/vol-1",
            with(OWN_RESOURCE, "aws:ResourceTag/taskjob-cluster", "prod-b")),
        call(false, "ssm:GetParameter", "arn:aws:ssm:" + REGION + ":" + ACCOUNT + ":parameter/prod/db-password",
            IN_REGION),
        call(false, "ec2:DescribeInstances", "*", Map.of("aws:RequestedRegion", "us-west-2")),
        call(false, "ec2:GetSpotPlacementScores", "*", Map.of("aws:RequestedRegion", "us-west-2")),
        call(false, "sqs:DeleteQueue", SQS + "orders", IN_REGION),
        call(false, "sqs:ReceiveMessage", SQS + "billing-events", IN_REGION),
        call(false, "iam:PassRole", "arn:aws:iam::" + ACCOUNT + ":role/admin",
            Map.of("iam:PassedToService", "ec2.amazonaws.com")),
        call(false, "iam:PassRole", "arn:aws:iam::" + ACCOUNT + ":role/taskjob-worker",
            Map.of("iam:PassedToService", "lambda.amazonaws.com")));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("calls")
  void operatorPolicyAllowsExactlyItsOwnCalls(String outcome, String action, String resource,
      Map<String, String> context) throws IOException {
    assertThat(allowed(policy("operator-policy.json"), action, resource, context) ? "allowed" : "denied")
        .isEqualTo(outcome);
  }

  @Test
  void workerPolicyReachesOnlyJobQueues() throws IOException {
    JsonNode worker = policy("worker-policy.json");

    assertThat(allowed(worker, "sqs:ReceiveMessage", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION)).isTrue();
    assertThat(allowed(worker, "sqs:SendMessage", SQS + "tj-research-sweep-1a2b3c4d-events", IN_REGION)).isTrue();
    assertThat(allowed(worker, "sqs:DeleteQueue", SQS + "tj-research-sweep-1a2b3c4d", IN_REGION)).isFalse();
    assertThat(allowed(worker, "sqs:ReceiveMessage", SQS + "orders", IN_REGION)).isFalse();
    assertThat(allowed(worker, "ec2:RunInstances", EC2 + "instance/*", OWN_TAGS)).isFalse();
    assertThat(allowed(worker, "ssm:GetParametersByPath", SSM + "parameter/taskjob/tj-research-sweep-1a2b3c4d",
        IN_REGION)).isTrue();
    assertThat(allowed(worker, "ssm:PutParameter", SSM + "parameter/taskjob/tj-research-sweep-1a2b3c4d/X",
        IN_REGION)).isFalse();
    assertThat(allowed(worker, "ssm:GetParametersByPath", SSM + "parameter/prod", IN_REGION)).isFalse();
  }

  @Test
  void onlyDescribeUsesAnActionWildcard() throws IOException {
    List<String> wildcards = new ArrayList<>();
    for (JsonNode statement : policy("operator-policy.json").path("Statement")) {
      for (String action : values(statement.path("Action"))) {
        if (action.contains("*") && !action.equals("ec2:Describe*")) {
          wildcards.add(action);
        }
      }
    }
    assertThat(wildcards).isEmpty();
  }

  private static Arguments call(boolean allowed, String action, String resource, Map<String, String> context) {
    return Arguments.of(allowed ? "allowed" : "denied", action, resource, context);
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> copy = new java.util.HashMap<>(base);
    copy.put(key, value);
    return copy;
  }

  private static Map<String, String> without(Map<String, String> base, String key) {
    Map<String, String> copy = new java.util.HashMap<>(base);
    copy.remove(key);
    return copy;
  }

  /** The policy file with its placeholders filled in as an admin would. */
  private static JsonNode policy(String file) throws IOException {
    String text = Files.readString(Kustomize.repoRoot().resolve("deploy/aws").resolve(file))
        .replace("REGION", REGION).replace("ACCOUNT", ACCOUNT).replace("CLUSTER_ID", CLUSTER)
        .replace("WORKER_ROLE", "taskjob-worker");
    return new ObjectMapper().readTree(text);
  }

  static boolean allowed(JsonNode policy, String action, String resource, Map<String, String> context) {
    boolean allow = false;
    for (JsonNode statement : policy.path("Statement")) {
      // Action names are case-insensitive in IAM, ARNs are not.
      boolean matches = values(statement.path("Action")).stream().anyMatch(a -> glob(a, action, true))
          && values(statement.path("Resource")).stream().anyMatch(r -> glob(r, resource, false))
          && conditionsHold(statement.path("Condition"), context);
      if (matches && statement.path("Effect").asText().equals("Deny")) {
        return false;
      }
      allow |= matches && statement.path("Effect").asText().equals("Allow");
    }
    return allow;
  }

  private static boolean conditionsHold(JsonNode conditions, Map<String, String> context) {
    for (Iterator<Map.Entry<String, JsonNode>> it = conditions.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> operator = it.next();
      for (Iterator<Map.Entry<String, JsonNode>> keys = operator.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        String actual = context.get(key.getKey());
        List<String> expected = values(key.getValue());
        boolean holds = switch (operator.getKey()) {
          case "StringEquals" -> actual != null && expected.contains(actual);
          case "StringLike" -> actual != null && expected.stream().anyMatch(e -> glob(e, actual, false));
          // IAM: a negated operator holds when the key is absent.
          case "StringNotEquals" -> actual == null || !expected.contains(actual);
          // a multi-valued key (here comma-separated): every value must be listed; none at all holds, as in IAM
          case "ForAllValues:StringEquals" -> actual == null || expected.containsAll(List.of(actual.split(",")));
          default -> throw new IllegalArgumentException("condition operator " + operator.getKey() + " not modelled");
        };
        if (!holds) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean glob(String pattern, String value, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
  }

  private static List<String> values(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> values.add(n.asText()));
    } else if (!node.isMissingNode()) {
      values.add(node.asText());
    }
    return values;
  }
}
