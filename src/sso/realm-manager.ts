import type RealmRepresentation from "@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js";
import { Mutex } from "async-mutex";
import type { Logger } from "../log.js";
import { type KeycloakAdminSession, keycloakStatusOf } from "./admin-session.js";
import { type RealmTags, readRealmTags } from "./realm-plan.js";

export interface OwnedRealm {
  realm: string;
  tags: RealmTags;
}

export type DeleteOutcome = "deleted" | "already-gone" | "not-ours";

/**
 * Keycloak fails on parallel realm creates and deletes, so every realm write of this process to one
 * Keycloak goes through one lock — shared by the provider, the reaper and the CLI alike.
 */
const writeLocks = new Map<string, Mutex>();
function writeLockFor(url: string): Mutex {
  let lock = writeLocks.get(url);
  if (!lock) {
    lock = new Mutex();
    writeLocks.set(url, lock);
  }
  return lock;
}

/**
 * Creates, lists and deletes the realms of one ccci instance. It never deletes `master` nor any realm
 * that does not carry this instance's owner tag, whatever it is asked.
 */
export class RealmManager {
  private readonly lock: Mutex;

  constructor(
    private readonly session: KeycloakAdminSession,
    readonly instanceId: string,
    private readonly log: Logger,
  ) {
    this.lock = writeLockFor(session.url);
  }

  async create(representation: RealmRepresentation): Promise<void> {
    const realm = representation.realm ?? "";
    if (realm === "master") throw new Error("refusing to create the master realm");
    if (readRealmTags(representation)?.owner !== this.instanceId) {
      throw new Error(`refusing to create realm ${realm} without this instance's owner tag`);
    }
    await this.lock.runExclusive(() =>
      this.session.call(`creating realm ${realm}`, (client) => client.realms.create(representation)),
    );
    this.log.info({ realm }, "keycloak realm created");
  }

  /** Deletes the realm if it is ours; a realm that is already gone counts as deleted. */
  async delete(realm: string): Promise<DeleteOutcome> {
    if (realm === "master") return "not-ours";
    return this.lock.runExclusive(async () => {
      const found = await this.session.call(`looking up realm ${realm}`, (client) =>
        client.realms.findOne({ realm }),
      );
      if (!found) return "already-gone";
      if (readRealmTags(found)?.owner !== this.instanceId) {
        this.log.warn({ realm }, "not deleting a realm without this instance's owner tag");
        return "not-ours";
      }
      try {
        await this.session.call(`deleting realm ${realm}`, (client) => client.realms.del({ realm }));
      } catch (error) {
        if (keycloakStatusOf(error) === 404) return "already-gone";
        throw error;
      }
      this.log.info({ realm }, "keycloak realm deleted");
      return "deleted";
    });
  }

  /** Every realm tagged with this instance's owner; `master` and untagged realms never appear. */
  async listOwned(): Promise<OwnedRealm[]> {
    const realms = await this.session.call("listing realms", (client) => client.realms.find());
    const owned: OwnedRealm[] = [];
    for (const representation of realms) {
      const tags = readRealmTags(representation);
      const realm = representation.realm;
      if (!realm || realm === "master" || tags?.owner !== this.instanceId) continue;
      owned.push({ realm, tags });
    }
    return owned;
  }
}
