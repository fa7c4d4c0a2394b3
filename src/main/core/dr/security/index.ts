/** The security DR actions of issue 12, for the engine's action registry (src/main/core/dr/registry.ts). */
export { captureEvidence, type CaptureOptions, type EvidenceFile } from './evidence';
export { baselineAge, baselineId, NO_BASELINE_HINT, persistenceHunt, readBaseline, recordBaseline, summariseBaseline, type Baseline, type HuntResult } from './baseline';
export { integrityCheck, repairChecklist, copyBeforeRepairChecklist, salvageDump, type IntegrityResult, type SalvageResult } from './integrity';
export { runCorruptionDrill, startDrillCluster, type CorruptionDrillResult } from './drill';
export { backupIntegritySweep, type SweepResult } from './sweep';
export { rotateRolePassword, type RotateResult } from './rotate';
export { lockRole, unlockRole, LockRecord, type UnlockResult } from './lock';
export { breachScope, breachScopeCsv, gdprClock, GDPR_NOTICE_SEC, type BreachScope } from './breach';
export type { Db, Progress, Session, TenantScope } from './common';
