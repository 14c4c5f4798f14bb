/**
 * A durable work queue in MongoDB that several API processes share: a job is
 * claimed with a lease, and a claim whose process died is taken over when the
 * lease runs out. Delivery is at least once: a job whose process stalls past
 * its lease may run twice, so handlers are idempotent (or, like webhooks, hand
 * the duplicate to a receiver that dedupes by id).
 *
 * Why claims are inserts: FerretDB applies an update as read, modify in Go,
 * write back, with nothing isolating the steps (MONGODB.md §2.4), so two
 * processes running the same `findOneAndUpdate` can both "win". Only inserts
 * are atomic there (a unique `_id`). A claim is therefore the insert of
 * `<queue>:<jobId>#<epoch + 1>` into lease_claims: of the processes that read
 * the job at the same epoch, exactly one inserts it; the winner then moves the
 * job to that epoch with its lease. Same behaviour on MongoDB.
 *
 * The jobs collection holds only work not yet done (a finished job is deleted,
 * its history kept by whoever cares, e.g. the webhook delivery log), so the
 * claim query, a scan on FerretDB, stays cheap. Producers of large amounts of
 * work (a backfill) enqueue in slices rather than all at once.
 */
import { randomUUID } from "node:crypto";
import { type InferSchemaType, Schema, type Model } from "mongoose";
import { duplicateKeyFailures } from "../errors.js";
import { BatchQueue } from "./batch-queue.js";
import { required, nullable, collectionSchema, schemaOptions } from "./schema-options.js";

/** A job of a durable work queue: only work not yet done. */
export interface LeaseJobDoc {
  /** `<queue>:<job id>`. */
  _id: string;
  queue: string;
  payload: unknown;
  /** Not claimed before this. */
  availableAt: Date;
  /**
   * `<queue>|<availableAt as ISO 8601>`: what claims read a queue's due jobs
   * by, oldest first. A range and a sort on one field of plain strings is what
   * our FerretDB reads by its index (ferretdb/patches, KeysetSortPushdown),
   * so a claim reads its own queue's due jobs, not every queue's backlog.
   * Absent in jobs queued before it (backfillDue).
   */
  due?: string;
  /** How many times it was claimed: the claim that holds it is `<_id>#<epoch>` in lease_claims. */
  epoch: number;
  owner: string | null;
  leaseUntil: Date | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** One claim of a job at one epoch: inserting it is what wins the job (inserts are atomic on every backend). */
export type LeaseClaimDoc = InferSchemaType<typeof leaseClaimSchema>;

const leaseJobSchema = collectionSchema<LeaseJobDoc>("lease_jobs", {
  _id: required(String),
  queue: required(String),
  payload: required(Schema.Types.Mixed),
  availableAt: required(Date),
  due: String,
  epoch: required(Number),
  owner: nullable(String),
  leaseUntil: nullable(Date),
  attempts: required(Number),
  lastError: nullable(String),
  createdAt: required(Date),
});
// Each queue's due jobs, oldest first (on MongoDB by this index; FerretDB scans the small collection).
leaseJobSchema.index({ queue: 1, availableAt: 1 }, { name: "queue_due" });
// What claims read (LeaseJobDoc.due), on MongoDB and on our FerretDB.
leaseJobSchema.index({ due: 1 }, { name: "due" });

const leaseClaimSchema = new Schema(
  {
    /** `<queue>:<job id>#<epoch>`. */
    _id: required(String),
    owner: required(String),
    at: required(Date),
  },
  { ...schemaOptions, collection: "lease_claims" },
);

/** The queue's models by name (features/models.ts binds them with the features' to a connection). */
export const leaseQueueSchemas = { LeaseJob: leaseJobSchema, LeaseClaim: leaseClaimSchema };

export interface LeaseQueueOptions {
  /** How long a claim holds before another process may take the job over. */
  readonly leaseMs: number;
  /** This process's name in claims (for the log and for tests). */
  readonly owner?: string;
  readonly now?: () => Date;
}

/** A job this process holds: pass it back to complete, retryLater or extend. */
export interface LeasedJob<P> {
  readonly id: string;
  readonly payload: P;
  readonly attempts: number;
  readonly epoch: number;
  readonly createdAt: Date;
  readonly lastError: string | null;
}

type JobModel = Model<LeaseJobDoc>;
type ClaimModel = Model<LeaseClaimDoc>;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

function isBulkDuplicate(err: unknown): boolean {
  const errors = (err as { writeErrors?: { code?: number }[] | { code?: number } } | null)?.writeErrors;
  const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
  return list.length > 0 && list.every((e) => e.code === 11000);
}

export class LeaseQueue<P> {
  readonly owner: string;
  /** How long a claim holds (a handler that may take longer extends it). */
  readonly leaseMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly models: { LeaseJob: JobModel; LeaseClaim: ClaimModel },
    readonly name: string,
    options: LeaseQueueOptions,
  ) {
    // Plain characters (see LeaseJobDoc.due), and none of the separators of a job's keys.
    if (!/^[#-~]+$/.test(name) || /[:#|\\<>&]/.test(name))
      throw new Error(`queue name ${name} must be plain ASCII without ":", "#" or "|"`);
    this.leaseMs = options.leaseMs;
    this.owner = options.owner ?? randomUUID();
    this.now = options.now ?? (() => new Date());
  }

  private jobKey(id: string): string {
    return `${this.name}:${id}`;
  }

  private dueKey(availableAt: Date): string {
    return `${this.name}|${availableAt.toISOString()}`;
  }

  private backfilled = false;

  /**
   * Jobs queued before `due` existed get it, once per queue and process,
   * before its first claim (a scan of the queue's jobs; nothing to do after).
   */
  private async backfillDue(): Promise<void> {
    if (this.backfilled) return;
    const old = await this.models.LeaseJob.collection
      .find({ queue: this.name, due: { $exists: false } } as never, { projection: { availableAt: 1 } })
      .toArray();
    if (old.length) {
      await this.models.LeaseJob.collection.bulkWrite(
        old.map((job) => ({
          updateOne: {
            filter: { _id: job._id, due: { $exists: false } } as never,
            update: { $set: { due: this.dueKey(job.availableAt as Date) } },
          },
        })),
        { ordered: false },
      );
    }
    this.backfilled = true;
  }

  /** A job as enqueue stores it: never claimed yet. */
  private newJob(id: string, payload: P, availableAt: Date, now: Date): LeaseJobDoc {
    return {
      _id: this.jobKey(id),
      queue: this.name,
      payload,
      availableAt,
      due: this.dueKey(availableAt),
      epoch: 0,
      owner: null,
      leaseUntil: null,
      attempts: 0,
      lastError: null,
      createdAt: now,
    };
  }

  /**
   * Adds a job under a caller-chosen id, ready at `availableAt` (now by
   * default). Idempotent: a job already queued under that id stays as it is,
   * and false says so. (An id whose job already finished is queued again: a
   * producer that must not repeat finished work keeps its own record.)
   */
  async enqueue(id: string, payload: P, availableAt?: Date): Promise<boolean> {
    const now = this.now();
    try {
      await this.models.LeaseJob.collection.insertOne(this.newJob(id, payload, availableAt ?? now, now) as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /**
   * enqueue for many jobs in one command (a batch of stored reviews, a write
   * batch's events): each id already queued stays as it is. A job's own
   * `availableAt` wins over the batch's. Returns how many were new.
   */
  async enqueueMany(jobs: readonly { id: string; payload: P; availableAt?: Date }[], availableAt?: Date): Promise<number> {
    if (!jobs.length) return 0;
    const now = this.now();
    const docs = jobs.map((j) => this.newJob(j.id, j.payload, j.availableAt ?? availableAt ?? now, now));
    try {
      return (await this.models.LeaseJob.collection.insertMany(docs as never[], { ordered: false })).insertedCount;
    } catch (err) {
      // An unordered insert goes on past a duplicate, on FerretDB too (msg_insert.go inserts the
      // batch one by one after a failure and reports each duplicate by index): the rest are in.
      const taken = duplicateKeyFailures(err);
      if (taken) return jobs.length - taken.size;
      if (!isDuplicateKey(err) && !isBulkDuplicate(err)) throw err;
      // A duplicate reported without its index: the jobs one at a time.
      let n = 0;
      for (const j of jobs) if (await this.enqueue(j.id, j.payload, j.availableAt ?? availableAt)) n++;
      return n;
    }
  }

  /**
   * Claims up to `limit` jobs that are due and not held by a live lease,
   * oldest due first. Each claimed job is this process's until its lease ends.
   *
   * A round's jobs are claimed together, in three commands however many they
   * are (the candidates read, their claims inserted in one unordered insert,
   * the won jobs moved in one update): on FerretDB each command costs about a
   * millisecond of its CPU, and per-job commands made the queue's bookkeeping
   * most of a review submission's cost. A claim that loses its insert was
   * taken by another process at that epoch and is skipped.
   */
  async claim(limit: number): Promise<LeasedJob<P>[]> {
    await this.backfillDue();
    const now = this.now();
    const candidates = await this.models.LeaseJob.find({
      due: { $gt: `${this.name}|`, $lte: this.dueKey(now) },
      $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }],
    })
      .sort({ due: 1 })
      // A few spare candidates: some will be taken by another process first.
      .limit(limit * 2)
      .lean<LeaseJobDoc[]>();
    if (!candidates.length) return [];
    const tried = candidates.slice(0, limit);
    const claimId = (job: LeaseJobDoc) => `${job._id}#${job.epoch + 1}`;
    let lost = new Set<number>();
    try {
      await this.models.LeaseClaim.collection.insertMany(
        tried.map((job) => ({ _id: claimId(job), owner: this.owner, at: now }) satisfies LeaseClaimDoc as never),
        { ordered: false },
      );
    } catch (err) {
      // Each duplicate is a job another process claimed at this epoch.
      const taken = duplicateKeyFailures(err);
      if (!taken) throw err;
      lost = taken;
    }
    let won = tried.filter((_, i) => !lost.has(i));
    if (!won.length) return [];
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    // Only from the epoch read: a candidate read before another process
    // completed the job (which drops its claims, so this claim's insert could
    // win) is gone by now, and must not be handed out a second time. `$inc`
    // moves each job to its claim's epoch; `_id: {$in}` lets FerretDB read only
    // these jobs (the patched `_id` pushdown) and `$or` holds each one's epoch.
    const moved = await this.models.LeaseJob.updateMany(
      { _id: { $in: won.map((j) => j._id) }, $or: won.map((j) => ({ _id: j._id, epoch: j.epoch })) },
      { $set: { owner: this.owner, leaseUntil }, $inc: { epoch: 1, attempts: 1 } },
    );
    if (moved.matchedCount !== won.length) {
      // Some were gone: ours are the jobs now at our claim's epoch under our name.
      const after = await this.models.LeaseJob.collection
        .find({ _id: { $in: won.map((j) => j._id) } } as never, { projection: { epoch: 1, owner: 1 } })
        .toArray();
      const ours = new Set(after.filter((j) => j.owner === this.owner).map((j) => `${j._id}#${j.epoch}`));
      const stale = won.filter((j) => !ours.has(claimId(j)));
      if (stale.length) await this.models.LeaseClaim.deleteMany({ _id: { $in: stale.map(claimId) } });
      won = won.filter((j) => ours.has(claimId(j)));
    }
    return won.map((job) => ({
      id: job._id.slice(this.name.length + 1),
      payload: job.payload as P,
      attempts: job.attempts + 1,
      epoch: job.epoch + 1,
      createdAt: job.createdAt,
      lastError: job.lastError,
    }));
  }

  /**
   * The job is done: it leaves the queue with its claims. Completions made
   * together (a round's jobs under `Promise.all`) go out as one completeMany.
   */
  complete(job: LeasedJob<P>): Promise<void> {
    return this.completions.add(job);
  }

  private readonly completions = new BatchQueue<LeasedJob<P>, void>(async (jobs) => {
    await this.completeMany(jobs);
    return jobs.map(() => undefined);
  }, 1_000);

  /**
   * complete for many jobs in two commands: the jobs deleted, each only at the
   * epoch it was claimed at (a job taken over since stays with its new
   * holder), then every claim they had.
   */
  async completeMany(jobs: readonly LeasedJob<P>[]): Promise<void> {
    if (!jobs.length) return;
    const keys = jobs.map((job) => this.jobKey(job.id));
    await this.models.LeaseJob.deleteMany({ _id: { $in: keys }, $or: jobs.map((job, i) => ({ _id: keys[i], epoch: job.epoch })) });
    const claims = jobs.flatMap((job, i) => Array.from({ length: job.epoch }, (_, e) => `${keys[i]}#${e + 1}`));
    await this.models.LeaseClaim.deleteMany({ _id: { $in: claims } });
  }

  /**
   * Takes back a job no process has claimed yet (epoch 0): its producer did
   * the work itself, in time (a safety net that was not needed). A job already
   * claimed stays with its holder, whose handler finds the work done. Says
   * whether the job was withdrawn.
   */
  async withdraw(id: string): Promise<boolean> {
    return (await this.models.LeaseJob.deleteOne({ _id: this.jobKey(id), epoch: 0 })).deletedCount === 1;
  }

  /**
   * The job failed this time (`error`), or is not due yet (no error: a
   * recurring job's next turn): it is due again at `at`, and anyone may claim it then.
   */
  async retryLater(job: LeasedJob<P>, at: Date, error?: string): Promise<void> {
    await this.models.LeaseJob.updateOne(
      { _id: this.jobKey(job.id), epoch: job.epoch },
      { $set: { availableAt: at, due: this.dueKey(at), leaseUntil: null, owner: null, lastError: error?.slice(0, 1_000) ?? null } },
    );
  }

  /** Gives up on a job for good (the caller records why somewhere it keeps). */
  async discard(job: LeasedJob<P>): Promise<void> {
    await this.complete(job);
  }

  /** Keeps holding a job that takes longer than one lease; false: the job is no longer this claim's (taken over, or gone). */
  async extend(job: LeasedJob<P>): Promise<boolean> {
    const leaseUntil = new Date(this.now().getTime() + this.leaseMs);
    const held = await this.models.LeaseJob.updateOne({ _id: this.jobKey(job.id), epoch: job.epoch }, { $set: { leaseUntil } });
    return held.matchedCount === 1;
  }

  /** Jobs waiting or in progress (for metrics and backfills that enqueue in slices). */
  async depth(): Promise<number> {
    return this.models.LeaseJob.countDocuments({ queue: this.name });
  }
}

export interface LeaseWorkerOptions {
  /** Jobs claimed per round. */
  readonly batch: number;
  /** How long to wait before looking again when the queue had nothing due. */
  readonly idleMs: number;
  /** False while the database is known down: the worker waits instead of failing every round. */
  readonly available?: () => boolean;
  readonly onError?: (error: unknown) => void;
  /** Handles a round's jobs side by side instead of one after another (jobs that wait on the network, like webhook deliveries). */
  readonly parallel?: boolean;
  /**
   * Looks for due jobs on behalf of this process's idle workers (DueJobWatch):
   * with one, an idle worker sends no query of its own and is woken when its
   * queue has a due job. Without, it claims again every `idleMs`.
   */
  readonly watch?: DueJobWatch;
  /** Awaited before each claim: background work that waits for a quiet moment (the insights worker). */
  readonly beforeRound?: () => Promise<void>;
}

/**
 * One look for due jobs for every idle worker of a process. Each idle worker
 * claiming every second on its own made five queries a second in an idle API
 * (the webhook fan-out and delivery, the rating checks, the vote counts, the
 * insights analyses): 7 ms of CPU a second against 2 for 9dc9294, which had no
 * workers, about 1 % of a rating read's CPU under the benchmark's load. The
 * watch asks once per `intervalMs` which of their queues have a job that is
 * due and not held by a live lease (what a claim would take), and wakes those
 * workers, so a job queued by any process (or due again after a retry's wait)
 * is still found within about `intervalMs`, as when each worker looked itself.
 */
export class DueJobWatch {
  /** The idle workers' wakes, by queue name. */
  private readonly idle = new Map<string, () => void>();
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;
  private stopped = false;
  /** Looks made so far (for tests and metrics). */
  looks = 0;

  constructor(
    private readonly jobs: Model<LeaseJobDoc>,
    private readonly options: {
      readonly intervalMs: number;
      /** False while the database is known down: no look then. */
      readonly available?: () => boolean;
      readonly now?: () => Date;
      readonly onError?: (error: unknown) => void;
    },
  ) {}

  /** The worker of `queue` found nothing due: `wake` it once a job of its queue is. */
  waitFor(queue: string, wake: () => void): void {
    if (this.stopped) return;
    this.idle.set(queue, wake);
    if (!this.timer && !this.looking) this.arm();
  }

  /** The worker of `queue` is busy again (woken by its own process) or stopped: it waits no more. */
  forget(queue: string): void {
    this.idle.delete(queue);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.idle.clear();
    await this.looking;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.looking = this.look()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.looking = null;
          if (this.idle.size && !this.stopped) this.arm();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async look(): Promise<void> {
    if (!this.idle.size || (this.options.available && !this.options.available())) return;
    this.looks++;
    const now = (this.options.now ?? (() => new Date()))();
    const due = (await this.jobs.collection.distinct("queue", {
      queue: { $in: [...this.idle.keys()] },
      availableAt: { $lte: now },
      $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }],
    } as never)) as string[];
    for (const queue of due) {
      const wake = this.idle.get(queue);
      if (!wake) continue;
      this.idle.delete(queue);
      wake();
    }
  }
}

export interface LeaseWorker {
  /** Look now (after an enqueue in this process) instead of at the next idle tick. */
  wake(): void;
  /** Stops claiming; waits for the round in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `handle` on each claimed job, one round after another while work is
 * due, then every `idleMs`. `handle` completes, retries or discards its job;
 * a job it throws on is retried after a backoff (a minute, doubling, at most a
 * day), and its lease keeps anyone else off it until then.
 */
export function runLeaseWorker<P>(
  queue: LeaseQueue<P>,
  handle: (job: LeasedJob<P>) => Promise<void>,
  options: LeaseWorkerOptions,
): LeaseWorker {
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let again = false;
  /** A round found nothing due: wait for the watch, or `idleMs`. */
  const IDLE = -1;

  const round = async (): Promise<number> => {
    await options.beforeRound?.();
    if (stopped) return 0;
    // The wait can outlast the database: a round that would claim after it is
    // known down waits for the next look instead of calling it.
    if (options.available && !options.available()) return 0;
    const jobs = await queue.claim(options.batch);
    const run = async (job: LeasedJob<P>) => {
      try {
        await handle(job);
      } catch (error) {
        options.onError?.(error);
        const backoffMs = Math.min(60_000 * 2 ** Math.min(job.attempts - 1, 20), 86_400_000);
        await queue.retryLater(job, new Date(Date.now() + backoffMs), String((error as Error)?.message ?? error)).catch(options.onError);
      }
    };
    if (options.parallel) await Promise.all(jobs.map(run));
    else {
      for (const job of jobs) {
        if (stopped) break;
        await run(job);
      }
    }
    return jobs.length;
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  };

  function tick(): void {
    timer = null;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (options.available && !options.available()) {
      schedule(options.idleMs);
      return;
    }
    running = round()
      .then(
        (n) => (n > 0 || again ? 0 : IDLE),
        (error: unknown) => {
          options.onError?.(error);
          return options.idleMs;
        },
      )
      .then((next) => {
        running = null;
        again = false;
        if (next !== IDLE) schedule(next);
        else if (options.watch && !stopped) options.watch.waitFor(queue.name, wake);
        else schedule(options.idleMs);
      });
  }

  const wake = () => {
    options.watch?.forget(queue.name);
    if (running) again = true;
    else schedule(0);
  };

  schedule(0);
  return {
    wake,
    async stop() {
      stopped = true;
      options.watch?.forget(queue.name);
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * runLeaseWorker with `parallel` hands a round's jobs over together, one call
 * per job in the same turn of the event loop: they are gathered here into one
 * round for `handle`, and each call settles with its own job's outcome (a
 * failed job is retried by runLeaseWorker as usual). Calls in different turns
 * just make smaller rounds. `handle` answers the ids of the jobs that failed,
 * with their errors.
 */
export function inRounds<P>(handle: (jobs: LeasedJob<P>[]) => Promise<Map<string, unknown>>): (job: LeasedJob<P>) => Promise<void> {
  let pending: { job: LeasedJob<P>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  return (job) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ job, resolve, reject });
      if (pending.length > 1) return;
      setImmediate(() => {
        const round = pending;
        pending = [];
        handle(round.map((r) => r.job)).then(
          (failed) => {
            for (const r of round) {
              if (failed.has(r.job.id)) r.reject(failed.get(r.job.id));
              else r.resolve();
            }
          },
          (error: unknown) => {
            for (const r of round) r.reject(error);
          },
        );
      });
    });
}
