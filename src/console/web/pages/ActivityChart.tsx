import type { Activity } from '../types';

const W = 720;
const H = 160;
const PAD = 28;
/** Bar colours by outcome, stacked bottom-up in this order. */
const SERIES = [
  ['firstAttempt', '#6aa84f', 'ok first try (inferred)'],
  ['delivered', '#3c78d8', 'delivered on retry'],
  ['retry', '#f1c232', 'failed, retrying'],
  ['dead', '#cc0000', 'dead'],
] as const;

/**
 * The last hour per minute, drawn as SVG: stacked bars of deliveries by outcome, and a line of the p99 latency
 * of the logged attempts (first-attempt successes are inferred from matched events and have no latency).
 */
export function ActivityChart({ activity }: { activity: Activity }) {
  const minutes = activity.minutes;
  const slot = (W - 2 * PAD) / Math.max(1, minutes.length);
  const total = (m: Activity['minutes'][number]) => m.firstAttempt + m.delivered + m.retry + m.dead;
  const top = Math.max(1, ...minutes.map(total));
  const latencyTop = Math.max(1, ...minutes.map((m) => m.p99Ms ?? 0));
  const y = (count: number) => (count / top) * (H - 2 * PAD);
  const latencyPoints = minutes
    .map((m, i) => (m.p99Ms === undefined ? '' : `${PAD + i * slot + slot / 2},${H - PAD - (m.p99Ms / latencyTop) * (H - 2 * PAD)}`))
    .filter(Boolean)
    .join(' ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label="deliveries per minute by outcome, last hour">
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="#999" />
        <text x={4} y={12} font-size="10">
          {top}/min
        </text>
        <text x={W - 4} y={12} font-size="10" fill="#674ea7" text-anchor="end">
          p99 up to {latencyTop} ms
        </text>
        <text x={PAD} y={H - 8} font-size="10">
          −60 min
        </text>
        <text x={W - PAD - 20} y={H - 8} font-size="10">
          now
        </text>
        {minutes.map((m, i) => {
          let base = H - PAD;
          return SERIES.map(([name, colour]) => {
            const height = y(m[name]);
            base -= height;
            return height > 0 ? <rect class={`bar ${name}`} x={PAD + i * slot + 1} y={base} width={Math.max(1, slot - 2)} height={height} fill={colour} /> : null;
          });
        })}
        {latencyPoints && <polyline points={latencyPoints} fill="none" stroke="#674ea7" stroke-width="1.5" />}
        {/* A dot per minute with logged attempts: a single minute draws no line. */}
        {latencyPoints &&
          latencyPoints.split(' ').map((point) => {
            const [cx, cy] = point.split(',');
            return <circle class="latency" cx={cx} cy={cy} r="2.5" fill="#674ea7" />;
          })}
      </svg>
      <figcaption>
        {SERIES.map(([name, colour, label]) => (
          <span class="legend">
            <span class="swatch" style={{ background: colour }} /> {label}: {activity.totals[name]}
          </span>
        ))}
        <span class="legend">
          <span class="swatch" style={{ background: '#674ea7' }} /> p99 latency of logged attempts
          {activity.p50Ms !== undefined ? ` (hour: p50 ${activity.p50Ms} ms, p99 ${activity.p99Ms} ms)` : ''}
        </span>
        {activity.partial && <span class="muted"> · partial: more than the console reads</span>}
      </figcaption>
    </figure>
  );
}
