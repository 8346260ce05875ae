import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { MlflowError } from 'src/common/mlflow-error';

const WINDOW_SECONDS = 15 * 60;

/**
 * Login attempts per user name and per client address. Successful logins clear the user's
 * count; failures consume both. Limits are per server process.
 */
@Injectable()
export class LoginLimiter {
  private readonly perUser = new RateLimiterMemory({ points: 10, duration: WINDOW_SECONDS });
  private readonly perAddress = new RateLimiterMemory({ points: 100, duration: WINDOW_SECONDS });

  async check(username: string, address: string): Promise<void> {
    const [user, ip] = await Promise.all([
      this.perUser.get(username),
      this.perAddress.get(address),
    ]);
    const blocked = [user, ip].find((r) => r !== null && r.remainingPoints <= 0);
    if (blocked) {
      const seconds = Math.ceil(blocked.msBeforeNext / 1000);
      throw new MlflowError(
        'RESOURCE_EXHAUSTED',
        `Too many login attempts; retry in ${seconds} s.`,
      );
    }
  }

  async failed(username: string, address: string): Promise<void> {
    await Promise.all([
      this.perUser.penalty(username, 1),
      this.perAddress.penalty(address, 1),
    ]).catch((err: unknown) => {
      if (!(err instanceof RateLimiterRes)) throw err;
    });
  }

  async succeeded(username: string): Promise<void> {
    await this.perUser.delete(username);
  }
}
