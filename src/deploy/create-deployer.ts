import { join } from "node:path";
import type { Settings } from "../config.js";
import { AbraDeployer } from "./abra-driver.js";
import type { Deployer } from "./deployer.js";
import type { DockerCli } from "./docker.js";
import { SwarmDeployer } from "./swarm-driver.js";

export function createDeployer(settings: Settings, docker: DockerCli): Deployer {
  if (settings.CCCI_DRIVER === "abra") {
    return new AbraDeployer(
      { bin: settings.CCCI_ABRA_BIN, sharedDir: join(settings.CCCI_STATE_DIR, "abra") },
      docker,
    );
  }
  return new SwarmDeployer(docker);
}
