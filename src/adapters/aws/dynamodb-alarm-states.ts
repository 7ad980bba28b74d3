import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlarmRecord, AlarmState, AlarmStateStore } from '../../core/ports/alarm-states.js';
import { conditionFailed, queryAll } from './dynamodb-items.js';

/**
 * Alarm states in the `errorTracking` table, partition `ALARM`, one item per alarm (`sk` = its name, so
 * a Query lists them sorted by name). A transition is one conditional PutItem: `attribute_not_exists(pk)`
 * for the first record, `#state = :from` otherwise, so of several Lambda instances evaluating the same
 * alarm exactly one wins (and notifies).
 */
export class DynamoDbAlarmStates implements AlarmStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<AlarmRecord[]> {
    const items = await queryAll(this.doc, { TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'ALARM' }, ConsistentRead: true });
    return items.map((i) => ({ name: i.name as string, state: i.state as AlarmState, since: i.since as string, value: (i.value as number | null | undefined) ?? null }));
  }

  async transition(from: AlarmState | null, next: AlarmRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: 'ALARM', sk: next.name, name: next.name, state: next.state, since: next.since, value: next.value },
          ...(from === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#state = :from', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':from': from } }),
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }
}
