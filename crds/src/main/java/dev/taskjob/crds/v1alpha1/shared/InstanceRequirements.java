package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Which instance types may run the work, and the budget: the constraints rms-cloud-tasks takes.
 * The operator picks the cheapest type per task slot that meets them. Unset bounds do not
 * constrain. Shared by {@code TaskJob.spec.instances} and {@code InstancePool.spec.instances}; the
 * budget fields ({@code minInstances}, {@code maxInstances}, {@code maxTotalCpus},
 * {@code maxPricePerHour}) may change while a job runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minCpus) || !has(self.maxCpus) || self.minCpus <= self.maxCpus",
    message = "minCpus must be less than or equal to maxCpus")
@ValidationRule(
    value = "!has(self.minMemoryGiB) || !has(self.maxMemoryGiB) || self.minMemoryGiB <= self.maxMemoryGiB",
    message = "minMemoryGiB must be less than or equal to maxMemoryGiB")
@ValidationRule(
    value = "!has(self.minMemoryPerCpuGiB) || !has(self.maxMemoryPerCpuGiB)"
        + " || self.minMemoryPerCpuGiB <= self.maxMemoryPerCpuGiB",
    message = "minMemoryPerCpuGiB must be less than or equal to maxMemoryPerCpuGiB")
@ValidationRule(
    value = "!has(self.minInstances) || !has(self.maxInstances) || self.minInstances <= self.maxInstances",
    message = "minInstances must be less than or equal to maxInstances")
public class InstanceRequirements {

  /** Applied when {@code maxInstances} is not given: a cap protects the budget. */
  public static final int DEFAULT_MAX_INSTANCES = 10;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Instance type names or globs the type must match, e.g. [\"c7g.*\", \"n2d-standard-*\"]. Empty: any type.")
  private List<@Size(max = 128) String> types;

  @Default("x86_64")
  @JsonPropertyDescription("CPU architecture of the instance type: x86_64 or arm64. Default: x86_64.")
  private Architecture architecture = Architecture.X86_64;

  @Max(Limits.MAX_CPUS)
  @Min(1)
  @JsonPropertyDescription("Fewest vCPUs per instance.")
  private Integer minCpus;

  @Max(Limits.MAX_CPUS)
  @Min(1)
  @JsonPropertyDescription("Most vCPUs per instance.")
  private Integer maxCpus;

  @Max(Limits.MAX_MEMORY_GIB)
  @Min(0)
  @JsonPropertyDescription("Least memory per instance, in GiB.")
  private Double minMemoryGiB;

  @Max(Limits.MAX_MEMORY_GIB)
  @Min(0)
  @JsonPropertyDescription("Most memory per instance, in GiB.")
  private Double maxMemoryGiB;

  @Max(Limits.MAX_MEMORY_PER_CPU_GIB)
  @Min(0)
  @JsonPropertyDescription("Least memory per vCPU, in GiB.")
  private Double minMemoryPerCpuGiB;

  @Max(Limits.MAX_MEMORY_PER_CPU_GIB)
  @Min(0)
  @JsonPropertyDescription("Most memory per vCPU, in GiB.")
  private Double maxMemoryPerCpuGiB;

  @Max(Limits.MAX_LOCAL_SSD_GIB)
  @Min(0)
  @JsonPropertyDescription("Least local SSD storage per instance, in GiB. Unset: local SSD not required.")
  private Integer minLocalSsdGiB;

  @Max(Limits.MAX_GPUS)
  @Min(0)
  @JsonPropertyDescription("Fewest GPUs per instance. Unset: GPUs not required.")
  private Integer minGpus;

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Boot disk size in GiB; its price counts in every price of an instance. Unset: 10.")
  private Integer bootDiskGiB;

  @Default("false")
  @JsonPropertyDescription("Use spot (preemptible) instances; preempted instances are replaced and their tasks retried. Default: false.")
  private Boolean spot = false;

  @Default("false")
  @JsonPropertyDescription("With spot: use on-demand instances when no spot capacity is available. Default: false.")
  private Boolean allowOnDemandFallback = false;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Boot image: an AMI id (aws) or an image URL or family (gcp). Unset: an image with Docker (aws: ECS-optimized AL2023, gcp: COS).")
  private String image;

  @Size(max = 512)
  @JsonPropertyDescription(
      "Identity the instances run as: an instance profile name (aws) or a service account email (gcp).")
  private String serviceAccount;

  @Max(Limits.MAX_INSTANCES)
  @Min(0)
  @Default("0")
  @JsonPropertyDescription("Fewest instances to keep while the job has work. Default: 0.")
  private Integer minInstances = 0;

  @Max(Limits.MAX_INSTANCES)
  @Min(1)
  @Default("10")
  @JsonPropertyDescription("Most instances at once. May be changed while the job runs. Default: 10.")
  private Integer maxInstances = DEFAULT_MAX_INSTANCES;

  @Max(Limits.MAX_TOTAL_CPUS)
  @Min(1)
  @JsonPropertyDescription("Most vCPUs summed over all instances. May be changed while the job runs.")
  private Integer maxTotalCpus;

  @Max(Limits.MAX_PRICE_PER_HOUR)
  @Min(0)
  @JsonPropertyDescription(
      "Most USD per hour summed over all instances, each at its type's price plus its boot disk's. May be changed while the job runs.")
  private Double maxPricePerHour;

  @Max(100)
  @Min(0)
  @JsonPropertyDescription(
      "Expected spot interruptions per instance-hour (e.g. 0.05), used to rank spot types by expected cost per "
          + "completed task until this cluster has observed its own interruptions of a type in a zone. "
          + "Unset: 0.05.")
  private Double interruptionsPerHour;

  public List<String> getTypes() {
    return types;
  }

  public void setTypes(List<String> types) {
    this.types = types;
  }

  public Architecture getArchitecture() {
    return architecture;
  }

  public void setArchitecture(Architecture architecture) {
    this.architecture = architecture;
  }

  public Integer getMinCpus() {
    return minCpus;
  }

  public void setMinCpus(Integer minCpus) {
    this.minCpus = minCpus;
  }

  public Integer getMaxCpus() {
    return maxCpus;
  }

  public void setMaxCpus(Integer maxCpus) {
    this.maxCpus = maxCpus;
  }

  public Double getMinMemoryGiB() {
    return minMemoryGiB;
  }

  public void setMinMemoryGiB(Double minMemoryGiB) {
    this.minMemoryGiB = minMemoryGiB;
  }

  public Double getMaxMemoryGiB() {
    return maxMemoryGiB;
  }

  public void setMaxMemoryGiB(Double maxMemoryGiB) {
    this.maxMemoryGiB = maxMemoryGiB;
  }

  public Double getMinMemoryPerCpuGiB() {
    return minMemoryPerCpuGiB;
  }

  public void setMinMemoryPerCpuGiB(Double minMemoryPerCpuGiB) {
    this.minMemoryPerCpuGiB = minMemoryPerCpuGiB;
  }

  public Double getMaxMemoryPerCpuGiB() {
    return maxMemoryPerCpuGiB;
  }

  public void setMaxMemoryPerCpuGiB(Double maxMemoryPerCpuGiB) {
    this.maxMemoryPerCpuGiB = maxMemoryPerCpuGiB;
  }

  public Integer getMinLocalSsdGiB() {
    return minLocalSsdGiB;
  }

  public void setMinLocalSsdGiB(Integer minLocalSsdGiB) {
    this.minLocalSsdGiB = minLocalSsdGiB;
  }

  public Integer getMinGpus() {
    return minGpus;
  }

  public void setMinGpus(Integer minGpus) {
    this.minGpus = minGpus;
  }

  public Integer getBootDiskGiB() {
    return bootDiskGiB;
  }

  public void setBootDiskGiB(Integer bootDiskGiB) {
    this.bootDiskGiB = bootDiskGiB;
  }

  public Boolean getSpot() {
    return spot;
  }

  public void setSpot(Boolean spot) {
    this.spot = spot;
  }

  public Boolean getAllowOnDemandFallback() {
    return allowOnDemandFallback;
  }

  public void setAllowOnDemandFallback(Boolean allowOnDemandFallback) {
    this.allowOnDemandFallback = allowOnDemandFallback;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getServiceAccount() {
    return serviceAccount;
  }

  public void setServiceAccount(String serviceAccount) {
    this.serviceAccount = serviceAccount;
  }

  public Integer getMinInstances() {
    return minInstances;
  }

  public void setMinInstances(Integer minInstances) {
    this.minInstances = minInstances;
  }

  public Integer getMaxInstances() {
    return maxInstances;
  }

  public void setMaxInstances(Integer maxInstances) {
    this.maxInstances = maxInstances;
  }

  public Integer getMaxTotalCpus() {
    return maxTotalCpus;
  }

  public void setMaxTotalCpus(Integer maxTotalCpus) {
    this.maxTotalCpus = maxTotalCpus;
  }

  public Double getMaxPricePerHour() {
    return maxPricePerHour;
  }

  public void setMaxPricePerHour(Double maxPricePerHour) {
    this.maxPricePerHour = maxPricePerHour;
  }

  public Double getInterruptionsPerHour() {
    return interruptionsPerHour;
  }

  public void setInterruptionsPerHour(Double interruptionsPerHour) {
    this.interruptionsPerHour = interruptionsPerHour;
  }
}
