/** A schema diff as a table: old and new line numbers, a sign, and the line; added and removed lines tinted. */
import type { SchemaDiffAnswer } from '../../../src/console/message-schema-api-types.ts';

const sign = { same: ' ', add: '+', remove: '−' } as const;
const spoken = { same: '', add: 'added: ', remove: 'removed: ' } as const;

export function DiffTable({ diff }: { diff: SchemaDiffAnswer }) {
  return (
    <div data-testid="diff">
      <p>
        Version {diff.from.version} (id {diff.from.id}) to version {diff.to.version} (id {diff.to.id}):{' '}
        <span class="ok">{diff.added} lines added</span>, <span class="bad">{diff.removed} removed</span>
        {diff.exact ? '' : ' (too far apart to align: the changed part is shown replaced whole)'}.
      </p>
      <table class="diff" aria-label={`Diff from version ${diff.from.version} to ${diff.to.version}`}>
        <thead>
          <tr>
            <th scope="col" class="line-no">
              Old
            </th>
            <th scope="col" class="line-no">
              New
            </th>
            <th scope="col" class="sign">
              <span class="visually-hidden">Change</span>
            </th>
            <th scope="col" class="line-text">
              Line
            </th>
          </tr>
        </thead>
        <tbody>
          {diff.lines.map((line, i) => (
            <tr key={i} class={line.op}>
              <td class="line-no">{line.fromLine ?? ''}</td>
              <td class="line-no">{line.toLine ?? ''}</td>
              <td class="sign" aria-hidden="true">
                {sign[line.op]}
              </td>
              <td class="line-text">
                <span class="visually-hidden">{spoken[line.op]}</span>
                {line.text}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
