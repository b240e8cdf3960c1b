package dev.taskjob.operator.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

/**
 * EC2 faults, injected into the operator's EC2 client as an SDK interceptor, so they happen inside the SDK's
 * retry loop exactly where network and service errors do. Errors EC2 answers without acting are thrown
 * before the request leaves (moto never sees it); a lost answer is thrown after moto acted. Every attempt
 * is recorded with the SDK's invocation id and attempt number, so a test can tell SDK retries (same
 * invocation) from the operator's own (a new invocation).
 *
 * <p>The lost RunInstances answer is reported as the whole call timing out, which the SDK does not retry:
 * a retry inside the SDK would repeat RunInstances with the same ClientToken, which EC2 answers with the
 * instance it made but moto does not deduplicate. The retry then comes from the pool's next reconcile,
 * which must find the instance by its tags rather than create a second one.
 */
final class Ec2Faults implements ExecutionInterceptor {

  /** An error EC2 answers, with its HTTP status and error code as EC2 sends them. */
  enum Fault {
    THROTTLING(503, "RequestLimitExceeded", "Request limit exceeded."),
    INTERNAL_ERROR(500, "InternalError", "An internal error has occurred."),
    UNAVAILABLE(503, "Unavailable", "The server is overloaded and can't handle the request."),
    NO_CAPACITY(500, "InsufficientInstanceCapacity",
        "We currently do not have sufficient capacity in the Availability Zone you requested."),
    ANSWER_LOST(0, null, null);

    final int status;
    final String code;
    final String message;

    Fault(int status, String code, String message) {
      this.status = status;
      this.code = code;
      this.message = message;
    }
  }

  /** One HTTP attempt of an EC2 call and the fault injected into it, if any. */
  record Attempt(String operation, String invocationId, int attempt, long nanos, Fault fault) {}

  private static final Pattern ATTEMPT = Pattern.compile("attempt=(\\d+)");
  private static final Pattern INSTANCE_ID = Pattern.compile("<instanceId>(i-[0-9a-f]+)</instanceId>");

  private final Map<String, AtomicInteger> requestsByOperation = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, Fault>> scheduled = new ConcurrentHashMap<>();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final AtomicBoolean answerLost = new AtomicBoolean();
  private volatile String refusedType;
  private volatile String lostInstanceId;

  /** Answers the {@code n}-th requests (1-based, attempts counted across calls) of an operation with {@code fault}. */
  Ec2Faults on(String operation, Fault fault, int... requestNumbers) {
    Map<Integer, Fault> byNumber = scheduled.computeIfAbsent(operation, o -> new ConcurrentHashMap<>());
    for (int n : requestNumbers) {
      byNumber.put(n, fault);
    }
    return this;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    int number = requestsByOperation.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
    Fault fault = scheduled.getOrDefault(operation, Map.of()).get(number);
    if (fault == null && context.request() instanceof RunInstancesRequest run) {
      fault = runInstancesFault(run.instanceTypeAsString());
    }
    attempts.add(new Attempt(operation, header(context, "amz-sdk-invocation-id"),
        Integer.parseInt(attemptOf(context)), System.nanoTime(), fault));
    if (fault != null && fault != Fault.ANSWER_LOST) {
      throw Ec2Exception.builder().statusCode(fault.status).message(fault.message)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode(fault.code).errorMessage(fault.message)
              .serviceName("Ec2").sdkHttpResponse(SdkHttpResponse.builder().statusCode(fault.status).build()).build())
          .build();
    }
  }

  /** The first type asked for has no capacity, ever; the first launch of another type loses its answer. */
  private synchronized Fault runInstancesFault(String type) {
    if (refusedType == null) {
      refusedType = type;
    }
    if (type.equals(refusedType)) {
      return Fault.NO_CAPACITY;
    }
    return answerLost.compareAndSet(false, true) ? Fault.ANSWER_LOST : null;
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
      ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    Attempt attempt = attempts.stream().filter(a -> a.invocationId().equals(header(context, "amz-sdk-invocation-id"))
        && a.attempt() == Integer.parseInt(attemptOf(context))).findFirst().orElse(null);
    if (attempt == null || attempt.fault() != Fault.ANSWER_LOST || !context.httpResponse().isSuccessful()) {
      return body;
    }
    try (InputStream in = body.orElseThrow()) {
      Matcher id = INSTANCE_ID.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      lostInstanceId = id.find() ? id.group(1) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw ApiCallTimeoutException.builder()
        .message("RunInstances: no answer within the call timeout (injected after EC2 created the instance)").build();
  }

  private static String header(Context.BeforeTransmission context, String name) {
    return context.httpRequest().firstMatchingHeader(name).orElse("");
  }

  private static String attemptOf(Context.BeforeTransmission context) {
    Matcher m = ATTEMPT.matcher(header(context, "amz-sdk-request"));
    return m.find() ? m.group(1) : "1";
  }

  /** Every attempt so far, in order. */
  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Attempts that got one of these faults. */
  List<Attempt> injected(Set<Fault> faults) {
    return attempts.stream().filter(a -> a.fault() != null && faults.contains(a.fault())).toList();
  }

  /** The attempt the SDK made after {@code failed}, in the same call, if it made one. */
  Optional<Attempt> retryOf(Attempt failed) {
    return attempts.stream().filter(a -> a.invocationId().equals(failed.invocationId())
        && a.attempt() == failed.attempt() + 1).findFirst();
  }

  /** Time the SDK waited between each of these failed attempts and its retry, summed. */
  Duration backoff(List<Attempt> failed) {
    long nanos = 0;
    for (Attempt a : failed) {
      nanos += retryOf(a).map(r -> r.nanos() - a.nanos()).orElse(0L);
    }
    return Duration.ofNanos(nanos);
  }

  /** The instance type whose launches were refused for want of capacity. */
  String refusedType() {
    return refusedType;
  }

  /** The instance EC2 created in the call whose answer was lost. */
  String lostInstanceId() {
    return lostInstanceId;
  }

  /** RunInstances attempts that reached EC2 and were not refused: each made one instance. */
  List<Attempt> launches() {
    List<Attempt> launched = new ArrayList<>();
    for (Attempt a : attempts) {
      if (a.operation().equals("RunInstances") && (a.fault() == null || a.fault() == Fault.ANSWER_LOST)) {
        launched.add(a);
      }
    }
    return launched;
  }
}
