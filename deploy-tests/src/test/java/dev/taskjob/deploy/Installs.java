package dev.taskjob.deploy;

import java.util.List;

/** The kustomizations a user applies, relative to the repository root. */
final class Installs {

  static final String BASE = "deploy/base";
  static final String AWS = "deploy/overlays/aws";
  static final String GCP = "deploy/overlays/gcp";
  static final String NAMESPACED = "deploy/overlays/namespaced";

  private Installs() {}

  static List<String> all() {
    return List.of(BASE, AWS, GCP, NAMESPACED);
  }
}
