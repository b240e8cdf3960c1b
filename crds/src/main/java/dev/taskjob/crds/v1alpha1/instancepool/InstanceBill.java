package dev.taskjob.crds.v1alpha1.instancepool;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One VM's bill as the pool keeps it: from its launch to its end, at its price. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceBill {

  @JsonPropertyDescription("Cloud instance id.")
  private String id;

  @JsonPropertyDescription("When the cloud launched it (RFC 3339).")
  private String launched;

  @JsonPropertyDescription("When the cloud stopped billing it (RFC 3339). Unset: still billed.")
  private String ended;

  @JsonPropertyDescription("Price of its type in its zone and market plus its boot disk, in USD per hour.")
  private Double pricePerHour;

  public InstanceBill() {}

  public InstanceBill(String id, String launched, String ended, Double pricePerHour) {
    this.id = id;
    this.launched = launched;
    this.ended = ended;
    this.pricePerHour = pricePerHour;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getLaunched() {
    return launched;
  }

  public void setLaunched(String launched) {
    this.launched = launched;
  }

  public String getEnded() {
    return ended;
  }

  public void setEnded(String ended) {
    this.ended = ended;
  }

  public Double getPricePerHour() {
    return pricePerHour;
  }

  public void setPricePerHour(Double pricePerHour) {
    this.pricePerHour = pricePerHour;
  }
}
