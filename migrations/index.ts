// Every migration in migrations/, by name: the migrate runner's list (db/migrate.ts), so a bundle needs no folder to read.
// A new migration is added here too; test/migrations/index.test.ts fails until it is.
import type { Migration } from 'kysely'
import * as organisation from './2026_11_27_0001_organisation.ts'
import * as scaleAndCriteria from './2026_11_27_0002_scale_and_criteria.ts'
import * as accounts from './2026_11_27_0003_accounts.ts'
import * as terminalsAndRatings from './2026_11_27_0004_terminals_and_ratings.ts'
import * as rollups from './2026_11_27_0100_rollups.ts'
import * as caseInsensitiveKeys from './2026_11_27_0200_case_insensitive_keys.ts'
import * as rollupQueue from './2026_11_27_1000_rollup_queue.ts'
import * as subtreeRollups from './2026_11_27_1100_subtree_rollups.ts'
import * as alerts from './2026_11_27_1200_alerts.ts'
import * as distributionKeys from './2026_11_27_1300_distribution_keys.ts'
import * as officerCounterRollups from './2026_11_27_1400_officer_counter_rollups.ts'
import * as heatmapRollups from './2026_11_27_1500_heatmap_rollups.ts'
import * as sessionExpiryIndex from './2026_11_30_0100_session_expiry_index.ts'
import * as keyedPairingCodes from './2026_11_30_0200_keyed_pairing_codes.ts'
import * as unitDepthLimit from './2026_11_30_0201_unit_depth_limit.ts'
import * as backdatedMisuse from './2026_11_30_0202_backdated_misuse.ts'
import * as sameOriginPhotos from './2026_11_30_0203_same_origin_photos.ts'
import * as serialFigureReads from './2026_11_30_0500_serial_figure_reads.ts'
import * as unitSatisfactionTarget from './2026_11_30_0600_unit_satisfaction_target.ts'
import * as rollupQueueTable from './2026_11_30_0700_rollup_queue_table.ts'
import * as sharedLimits from './2026_11_30_0700_shared_limits.ts'
import * as criterionNotApplicable from './2026_11_30_0800_criterion_not_applicable.ts'
import * as caseLoop from './2026_11_30_0900_case_loop.ts'
import * as citizenVoice from './2026_11_30_0930_citizen_voice.ts'
import * as visit from './2026_11_30_1100_visit.ts'
import * as queueTokens from './2026_11_30_1130_queue_tokens.ts'
import * as visitFigureIndexes from './2026_11_30_1135_visit_figure_indexes.ts'
import * as receiptCodes from './2026_11_30_1140_receipt_codes.ts'
import * as ratingsByUnitOnly from './2026_12_01_1400_ratings_by_unit_only.ts'
import * as ratingReferences from './2026_12_01_1500_rating_references_kept_by_their_rows.ts'
import * as rollupTurn from './2026_12_01_1800_rollup_turn.ts'

export const migrations: Record<string, Migration> = {
  '2026_11_27_0001_organisation': organisation,
  '2026_11_27_0002_scale_and_criteria': scaleAndCriteria,
  '2026_11_27_0003_accounts': accounts,
  '2026_11_27_0004_terminals_and_ratings': terminalsAndRatings,
  '2026_11_27_0100_rollups': rollups,
  '2026_11_27_0200_case_insensitive_keys': caseInsensitiveKeys,
  '2026_11_27_1000_rollup_queue': rollupQueue,
  '2026_11_27_1100_subtree_rollups': subtreeRollups,
  '2026_11_27_1200_alerts': alerts,
  '2026_11_27_1300_distribution_keys': distributionKeys,
  '2026_11_27_1400_officer_counter_rollups': officerCounterRollups,
  '2026_11_27_1500_heatmap_rollups': heatmapRollups,
  '2026_11_30_0100_session_expiry_index': sessionExpiryIndex,
  '2026_11_30_0200_keyed_pairing_codes': keyedPairingCodes,
  '2026_11_30_0201_unit_depth_limit': unitDepthLimit,
  '2026_11_30_0202_backdated_misuse': backdatedMisuse,
  '2026_11_30_0203_same_origin_photos': sameOriginPhotos,
  '2026_11_30_0500_serial_figure_reads': serialFigureReads,
  '2026_11_30_0600_unit_satisfaction_target': unitSatisfactionTarget,
  '2026_11_30_0700_rollup_queue_table': rollupQueueTable,
  '2026_11_30_0700_shared_limits': sharedLimits,
  '2026_11_30_0800_criterion_not_applicable': criterionNotApplicable,
  '2026_11_30_0900_case_loop': caseLoop,
  '2026_11_30_0930_citizen_voice': citizenVoice,
  '2026_11_30_1100_visit': visit,
  '2026_11_30_1130_queue_tokens': queueTokens,
  '2026_11_30_1135_visit_figure_indexes': visitFigureIndexes,
  '2026_11_30_1140_receipt_codes': receiptCodes,
  '2026_12_01_1400_ratings_by_unit_only': ratingsByUnitOnly,
  '2026_12_01_1500_rating_references_kept_by_their_rows': ratingReferences,
  '2026_12_01_1800_rollup_turn': rollupTurn
}
