/**
 * @module bench/origin-spec
 * What the benchmark's origin serves, shared by the origin process and the scenarios. Constants only.
 */

/** The name every client uses for the origin; mapped to 127.0.0.1 by each proxy's own hosts table. */
export const ORIGIN_HOST = 'origin.bench';
/** Body size of `/small`. */
export const SMALL_BYTES = 100;
/** Body size of `/bulk`: 100 MiB. */
export const BULK_BYTES = 100 * 1024 * 1024;
/** Body size of `/medium`: 8 MiB, the soak's (f) bulk download, often enough to matter, cheap enough to repeat. */
export const MEDIUM_BYTES = 8 * 1024 * 1024;
