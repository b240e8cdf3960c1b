package dev.taskjob.deploy;

import java.util.List;

/** The kustomizations a user applies, relative to the repository root. */
final class Installs {

  static final String BASE = "deploy/base";
  static final String AWS = "deploy/overlays/aws";
  static final String GCP = "deploy/overlays/gcp";
  static final String NAMESPACED = "deploy/overlays/namespaced";
  /** Applied once per namespace that may run TaskJobs, next to a cluster-wide install. */
  static final String TENANT = "deploy/tenant";

  private Installs() {}

  static List<String> all() {
    return List.of(BASE, AWS, GCP, NAMESPACED);
  }

  static List<String> clusterWide() {
    return List.of(BASE, AWS, GCP);
  }

  /** What an admin applies for {@code install} to run jobs: a cluster-wide install with one namespace enabled. */
  static Rendered withOneTenant(String install) {
    Rendered render = Kustomize.render(install);
    return install.equals(NAMESPACED) ? render : render.plus(Kustomize.render(TENANT));
  }
}
