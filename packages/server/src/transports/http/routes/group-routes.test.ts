import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describe('groups API', { skip }, () => {
  let t: TestApp;
  let meter: number;
  let other: number;
  const ids: number[] = [];
  let foreign: number;

  const group = async (name: string, productId = meter) =>
    (await t.admin.post('/api/v1/groups', { productId, name })).json().id as number;
  const members = async (id: number) =>
    (await t.admin.get(`/api/v1/groups/${id}/members?limit=500`))
      .json()
      .items.map((d: { name: string }) => d.name);
  const removeMembers = (id: number, payload: unknown, caller = t.admin) =>
    caller.request({ method: 'DELETE', url: `/api/v1/groups/${id}/members`, payload: payload as object });

  before(async () => {
    t = await createTestApp();
    meter = (await t.admin.post('/api/v1/products', { name: 'meter' })).json().id;
    other = (await t.admin.post('/api/v1/products', { name: 'other' })).json().id;
    for (let i = 0; i < 6; i++) {
      const body = { name: `d-${i}`, tags: i % 2 ? ['odd'] : ['even'], versions: { default: `1.${i % 3}` } };
      ids.push((await t.admin.post(`/api/v1/products/${meter}/devices`, body)).json().device.id);
    }
    foreign = (await t.admin.post(`/api/v1/products/${other}/devices`, { name: 'f-1' })).json().device.id;
  });
  after(() => t.close());

  it('creates, reads, lists and deletes groups', async () => {
    const res = await t.admin.post('/api/v1/groups', { productId: meter, name: ' North ', description: 'n' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().name, 'North');
    const id = res.json().id;
    assert.deepEqual((await t.admin.get(`/api/v1/groups/${id}`)).json().members, 0);
    const list = (await t.admin.get(`/api/v1/groups?productId=${meter}&q=nor`)).json();
    assert.deepEqual(
      list.items.map((g: { id: number }) => g.id),
      [id],
    );
    assert.equal((await t.admin.delete(`/api/v1/groups/${id}`)).statusCode, 204);
    assert.equal((await t.admin.get(`/api/v1/groups/${id}`)).json().code, 'NOT_FOUND');
    assert.equal((await t.admin.delete(`/api/v1/groups/${id}`)).json().code, 'NOT_FOUND');
  });

  it('renames a group and changes its description, keeping its members, and counts members in the list', async () => {
    const id = await group('to-rename');
    await t.admin.post(`/api/v1/groups/${id}/members`, { deviceIds: ids.slice(0, 2) });
    const renamed = await t.admin.patch(`/api/v1/groups/${id}`, { name: ' renamed ', description: 'east' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'renamed');
    assert.equal(renamed.json().description, 'east');
    assert.deepEqual(await members(id), ['d-0', 'd-1']);
    const listed = (await t.admin.get(`/api/v1/groups?productId=${meter}&q=renamed`)).json().items;
    assert.equal(listed[0].members, 2);
    await group('other-name');
    assert.equal(
      (await t.admin.patch(`/api/v1/groups/${id}`, { name: 'other-name' })).json().code,
      'GROUP_NAME_TAKEN',
    );
    assert.equal(
      (await t.admin.patch(`/api/v1/groups/${id}`, { name: '  ' })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal((await t.admin.patch(`/api/v1/groups/${id}`, {})).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await t.admin.patch(`/api/v1/groups/${id}`, { productId: other })).json().code,
      'UNKNOWN_FIELD',
    );
    assert.equal((await t.admin.patch('/api/v1/groups/999999', { name: 'x' })).json().code, 'NOT_FOUND');
    assert.equal((await (await t.as('viewer')).patch(`/api/v1/groups/${id}`, { name: 'v' })).statusCode, 403);
    await t.admin.delete(`/api/v1/groups/${id}`);
  });

  it('refuses bad group input', async () => {
    const post = (body: unknown) => t.admin.post('/api/v1/groups', body);
    await group('taken');
    assert.equal((await post({ productId: meter, name: 'taken' })).json().code, 'GROUP_NAME_TAKEN');
    assert.equal((await post({ productId: other, name: 'taken' })).statusCode, 201);
    assert.equal((await post({ productId: meter, name: '   ' })).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ productId: meter, name: 'x'.repeat(65) })).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await post({ productId: meter, name: 'd', description: 'x'.repeat(1001) })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal((await post({ name: 'no product' })).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ productId: 999999, name: 'x' })).json().code, 'NOT_FOUND');
    const unknown = await post({ productId: meter, name: 'x', colour: 'red' });
    assert.equal(unknown.json().code, 'UNKNOWN_FIELD');
  });

  it('adds members by id, skipping ones already there, and removes them', async () => {
    const id = await group('by-id');
    const add = (deviceIds: number[]) => t.admin.post(`/api/v1/groups/${id}/members`, { deviceIds });
    assert.deepEqual((await add([ids[0]!, ids[1]!, ids[1]!])).json(), { added: 2 });
    assert.deepEqual((await add([ids[1]!, ids[2]!])).json(), { added: 1 });
    assert.deepEqual(await members(id), ['d-0', 'd-1', 'd-2']);
    assert.equal((await t.admin.get(`/api/v1/groups/${id}`)).json().members, 3);
    const wrong = await add([ids[3]!, foreign]);
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(wrong.json().details.deviceIds, [foreign]);
    assert.equal((await add([999999])).json().code, 'VALIDATION_FAILED');
    assert.deepEqual(await members(id), ['d-0', 'd-1', 'd-2']);
    assert.deepEqual((await removeMembers(id, { deviceIds: [ids[0]!, ids[5]!] })).json(), { removed: 1 });
    assert.deepEqual(await members(id), ['d-1', 'd-2']);
    const names = (await t.admin.get(`/api/v1/devices?groupId=${id}`))
      .json()
      .items.map((d: { name: string }) => d.name);
    assert.deepEqual(names, ['d-1', 'd-2']);
  });

  it('adds every matching device of the group’s product by filter, in the database', async () => {
    const id = await group('by-filter');
    const add = (filter: unknown) => t.admin.post(`/api/v1/groups/${id}/members`, { filter });
    assert.deepEqual((await add({ tag: 'odd' })).json(), { added: 3 });
    assert.deepEqual((await add({ version: '1.0' })).json(), { added: 1 });
    assert.deepEqual(await members(id), ['d-0', 'd-1', 'd-3', 'd-5']);
    // The filter never reaches past the group's product.
    assert.deepEqual((await add({ productId: other })).json(), { added: 0 });
    assert.deepEqual((await add({})).json(), { added: 2 });
    assert.equal((await t.admin.get(`/api/v1/groups/${id}`)).json().members, 6);
  });

  it('refuses bad member requests', async () => {
    const id = await group('bad-members');
    const post = (body: unknown) => t.admin.post(`/api/v1/groups/${id}/members`, body);
    assert.equal((await post({})).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ deviceIds: [] })).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ deviceIds: [0] })).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ deviceIds: [ids[0]!], filter: {} })).json().code, 'VALIDATION_FAILED');
    const tooMany = Array.from({ length: 10_001 }, (_, i) => i + 1);
    assert.equal((await post({ deviceIds: tooMany })).json().code, 'VALIDATION_FAILED');
    assert.equal((await post({ filter: { colour: 'red' } })).json().code, 'UNKNOWN_FIELD');
    assert.equal((await post({ ids: [1] })).json().code, 'UNKNOWN_FIELD');
    assert.equal(
      (await removeMembers(id, { deviceIds: [ids[0]!], filter: {} })).json().code,
      'UNKNOWN_FIELD',
    );
    assert.equal((await removeMembers(id, {})).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await t.admin.post('/api/v1/groups/999999/members', { deviceIds: [1] })).json().code,
      'NOT_FOUND',
    );
    assert.equal((await t.admin.get('/api/v1/groups/999999/members')).json().code, 'NOT_FOUND');
  });

  it('pages members and groups with signed cursors', async () => {
    const id = await group('paged');
    await t.admin.post(`/api/v1/groups/${id}/members`, { deviceIds: ids });
    const first = (await t.admin.get(`/api/v1/groups/${id}/members?limit=4`)).json();
    assert.equal(first.items.length, 4);
    const second = (
      await t.admin.get(`/api/v1/groups/${id}/members?limit=4&cursor=${first.nextCursor}`)
    ).json();
    assert.deepEqual(
      second.items.map((d: { name: string }) => d.name),
      ['d-4', 'd-5'],
    );
    assert.equal(second.nextCursor, null);
    const otherGroup = await group('paged-2');
    const stale = await t.admin.get(`/api/v1/groups/${otherGroup}/members?cursor=${first.nextCursor}`);
    assert.equal(stale.json().code, 'INVALID_CURSOR');
    const groups = (await t.admin.get(`/api/v1/groups?productId=${meter}&limit=1`)).json();
    assert.ok(groups.nextCursor);
    const forged = `${groups.nextCursor.split('.')[0]}.AAAAAAAAAAAAAAAA`;
    assert.equal(
      (await t.admin.get(`/api/v1/groups?productId=${meter}&cursor=${forged}`)).json().code,
      'INVALID_CURSOR',
    );
  });

  it('filters members by tag, version, name and online, and binds cursors to the filters', async () => {
    const id = await group('filtered');
    await t.admin.post(`/api/v1/groups/${id}/members`, { deviceIds: ids.slice(0, 5) });
    const names = async (query: string) => {
      const res = await t.admin.get(`/api/v1/groups/${id}/members?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items.map((d: { name: string }) => d.name);
    };
    assert.deepEqual(await names('tag=odd'), ['d-1', 'd-3']);
    assert.deepEqual(await names('version=1.0'), ['d-0', 'd-3']);
    assert.deepEqual(await names('module=default&version=1.1&tag=even'), ['d-4']);
    assert.deepEqual(await names('q=D-2'), ['d-2']);
    assert.deepEqual(await names('online=true'), []);
    assert.equal((await names('online=false')).length, 5);
    const first = (await t.admin.get(`/api/v1/groups/${id}/members?tag=even&limit=2`)).json();
    assert.deepEqual(
      first.items.map((d: { name: string }) => d.name),
      ['d-0', 'd-2'],
    );
    assert.deepEqual(await names(`tag=even&limit=2&cursor=${first.nextCursor}`), ['d-4']);
    const other = await t.admin.get(`/api/v1/groups/${id}/members?tag=odd&cursor=${first.nextCursor}`);
    assert.equal(other.json().code, 'INVALID_CURSOR');
    assert.equal(
      (await t.admin.get(`/api/v1/groups/${id}/members?online=maybe`)).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal(
      (await t.admin.get(`/api/v1/groups/${id}/members?productId=${meter}`)).json().code,
      'UNKNOWN_FIELD',
    );
  });

  it('refuses a cursor of another list, even with the same filters', async () => {
    const id = await group('cross');
    await t.admin.post(`/api/v1/groups/${id}/members`, { deviceIds: ids });
    const members = (await t.admin.get(`/api/v1/groups/${id}/members?limit=1`)).json();
    const devices = (await t.admin.get(`/api/v1/devices?groupId=${id}&limit=1`)).json();
    assert.ok(members.nextCursor && devices.nextCursor);
    // Same id, same filters ({groupId}): only the list it came from takes each.
    const swapped = await t.admin.get(`/api/v1/devices?groupId=${id}&cursor=${members.nextCursor}`);
    assert.equal(swapped.statusCode, 400);
    assert.equal(swapped.json().code, 'INVALID_CURSOR');
    assert.match(swapped.json().message, /another list/);
    const back = await t.admin.get(`/api/v1/groups/${id}/members?cursor=${devices.nextCursor}`);
    assert.equal(back.json().code, 'INVALID_CURSOR');
  });

  it('lets a viewer read but not change, and refuses anonymous callers', async () => {
    const id = await group('roles');
    const viewer = await t.as('viewer');
    assert.equal((await viewer.get('/api/v1/groups')).statusCode, 200);
    assert.equal((await viewer.get(`/api/v1/groups/${id}`)).statusCode, 200);
    assert.equal((await viewer.get(`/api/v1/groups/${id}/members`)).statusCode, 200);
    for (const res of [
      await viewer.post('/api/v1/groups', { productId: meter, name: 'nope' }),
      await viewer.post(`/api/v1/groups/${id}/members`, { deviceIds: [ids[0]!] }),
      await removeMembers(id, { deviceIds: [ids[0]!] }, viewer),
      await viewer.delete(`/api/v1/groups/${id}`),
    ]) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'FORBIDDEN');
    }
    const operator = await t.as('operator');
    assert.equal(
      (await operator.post(`/api/v1/groups/${id}/members`, { deviceIds: [ids[0]!] })).statusCode,
      200,
    );
    assert.equal((await t.anonymous.get('/api/v1/groups')).json().code, 'UNAUTHENTICATED');
    assert.equal((await t.anonymous.get(`/api/v1/groups/${id}/members`)).statusCode, 401);
  });
});
