// The figures the benchmark reports: each is a measured number or "n/a"
// (a scenario whose feature does not exist yet), never a made-up value.

export type FigureValue = number | 'n/a';

export interface Figure {
  readonly label: string;
  readonly unit: string;
  value: FigureValue;
  /** The machine's own ceiling this figure is compared with, when it has one. */
  ceiling?: { readonly label: string; readonly value: FigureValue } | undefined;
  /** value / ceiling. */
  ratio?: number | undefined;
  /** Human-readable target from issue #4. */
  readonly target: string;
  /** true / false when the target can be judged, null otherwise (n/a, "reported"). */
  pass: boolean | null;
  note?: string | undefined;
}

/** Every figure key, in table order; results.json has each of them. */
export const FIGURE_KEYS = [
  'raw_pg_insert_tx_per_s',
  'bare_fastify_get_req_per_s',
  'bare_fastify_post_req_per_s',
  'commands_per_s',
  'booking_commands_per_s',
  'booking_by_service_commands_per_s',
  'get_client_req_per_s',
  'get_client_p50_ms',
  'get_client_p99_ms',
  'free_slots_req_per_s',
  'rebuild_events_per_s',
  'projection_lag_p50_ms',
  'projection_lag_p99_ms',
  'api_peak_rss_mb',
  'registrations_per_s',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

export type Figures = Record<FigureKey, Figure>;
