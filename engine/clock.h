/*
** Time for the engine: a monotonic clock for intervals and timeouts, the
** wall clock for what a person reads, and an interruptible-free sleep.
** Timestamps stored in the database never come from here: they come from
** the storage's own clock.
*/
#ifndef HP_CLOCK_H
#define HP_CLOCK_H

/* Seconds of CLOCK_MONOTONIC: only differences mean anything. */
double clock_monotonic(void);

/* Unix seconds of CLOCK_REALTIME. */
double clock_wall(void);

/* Sleeps SECONDS (>= 0). */
void clock_sleep(double seconds);

#endif
