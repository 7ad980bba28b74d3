import type { User } from '../model/types.js';

export interface UserRepo {
  create(user: User): Promise<void>; // throws ManuelError('conflict') on a duplicate email
  byId(id: string): Promise<User | null>;
  byEmail(email: string): Promise<User | null>;
  count(): Promise<number>;
  /** Every user, oldest (createdAt) first: for admin exports only (the caller checks). */
  list(): Promise<User[]>;
  /** Removes the profile (its email is free again, count() drops by one); false when there was none. */
  delete(id: string): Promise<boolean>;
}
