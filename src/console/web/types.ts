/** The console API's answers, as the page reads them (see src/console/routes). */
export interface EventSummary {
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  arrivedAt: string;
}

export interface Clause {
  path: string;
  field: string;
  expected: string;
  actual: string;
  message: string;
}

export interface Attempt {
  attempt: number;
  at: string;
  outcome: 'retry' | 'dead' | 'delivered';
  status?: number;
  durationMs?: number;
  error?: string;
  deadReason?: string;
}

export interface EventDelivery {
  subscriptionId: string;
  matched: boolean;
  clause?: Clause;
  status?: string;
  attempts?: { attempt: number; at: number; outcome: string; status?: number; durationMs?: number; error?: string }[];
}

export interface EventDetail {
  attributes: Record<string, unknown>;
  data: unknown;
  arrivedAt?: string;
  deliveries: EventDelivery[];
}

export interface SubscriptionSummary {
  id: string;
  path: string;
  types?: string[];
  subjects?: string[];
  filter?: unknown;
  target: { kind: string; to: string };
  delivery: { ordered: boolean; maxAttempts: number; timeoutSeconds: number; payload: string };
  state: 'enabled' | 'disabled';
  disabled?: { at: string; reason: string };
  lastHour?: { matched: number; firstAttempt: number; retry: number; delivered: number; dead: number; p50Ms?: number; p99Ms?: number; partial: boolean };
  pending?: number;
  dead?: number;
}

export interface ActivityMinute {
  at: number;
  firstAttempt: number;
  retry: number;
  delivered: number;
  dead: number;
  p50Ms?: number;
  p99Ms?: number;
}

export interface Activity {
  minutes: ActivityMinute[];
  totals: { matched: number; firstAttempt: number; retry: number; delivered: number; dead: number };
  p50Ms?: number;
  p99Ms?: number;
  partial: boolean;
}

export interface DeliveryRow {
  subscriptionId?: string;
  lane?: string;
  sequence?: string;
  state: string;
  id: string;
  source: string;
  type?: string;
  attempts?: number;
  nextAttemptAt?: string;
  deadAt?: string;
  deadReason?: string;
  lastError?: string;
  lastStatus?: number;
  history?: Attempt[];
}
