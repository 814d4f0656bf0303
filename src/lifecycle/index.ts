/**
 * @module lifecycle
 * The lifecycle part's public surface, for the CLI (`cordon lifecycle`, `cordon doctor`) and the CDK
 * app: the SageMaker on-start script generator and the doctor checks.
 */
export { LIFECYCLE_ERRORS, LifecycleError, type LifecycleErrorCode } from './errors.js';
export {
  ALWAYS_NO_PROXY,
  parseLifecycleOptions,
  type LifecycleOptions,
  type LifecycleSettings,
} from './options.js';
export { lifecycleScript, proxyEnvironment, CA_PATH, CA_BUNDLE_PATH, MAX_BASE64_CHARS } from './script.js';
export { runDoctor, formatDoctor, type DoctorCheck, type DoctorOptions } from './doctor.js';
export { probeProxy, probeDirect, PROBE_HOST, type ProbeResult, type DirectOutcome } from './probe.js';
