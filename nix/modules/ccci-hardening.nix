# systemd hardening for ccci's units that keeps Docker working: the socket is reached through the
# `docker` group (so no PrivateUsers, which would hide that group), Node's JIT needs writable and
# executable memory (so no MemoryDenyWriteExecute), and ProtectSystem=strict still lets the service
# connect() to /run/docker.sock. Custom asserts run as this user too, with the same limits.
{ lib, cfg }:

{
  NoNewPrivileges = true;
  PrivateTmp = true;
  ProtectSystem = "strict";
  ProtectHome = true;
  ReadWritePaths = [ cfg.stateDir ];
  ProtectKernelTunables = true;
  ProtectKernelModules = true;
  ProtectKernelLogs = true;
  ProtectControlGroups = true;
  ProtectClock = true;
  ProtectHostname = true;
  RestrictSUIDSGID = true;
  RestrictRealtime = true;
  LockPersonality = true;
  SystemCallArchitectures = "native";
  RestrictAddressFamilies = [
    "AF_UNIX"
    "AF_INET"
    "AF_INET6"
    "AF_NETLINK"
  ];
  UMask = "0077";
}
// lib.optionalAttrs (cfg.user != "root") {
  # A non-root user needs no capabilities and no devices: dockerd does the privileged work. As root
  # (warm snapshots mount overlays) both are left alone.
  CapabilityBoundingSet = "";
  PrivateDevices = true;
}
