/** A schedule file problem: names file:line like every input error (exit 1, nothing runs). */
import { InputError, type SourceLocation } from '../core/errors.js';

export class ScheduleError extends InputError {
  constructor(message: string, location?: SourceLocation) {
    super(message, location, 'FLEET_SCHEDULE_INVALID');
    this.name = 'ScheduleError';
  }
}
