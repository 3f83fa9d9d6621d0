/** How far back `switchyard status` looks: the last hour. */
export const STATUS_WINDOW_MS = 3_600_000;
