import { useState } from 'react';
import type { TenantSettings } from '../../../../shared/domain/tenants';
import { useSaveTenantSettings, useTenantSettings } from '../../api/tenants';

const NO_SETTINGS: TenantSettings = { template: '', platformRoles: [] };

/** The connection's reference (template schema or majority shape) and platform roles, saved per connection. */
export function ReferenceSettings() {
  const settings = useTenantSettings().data ?? NO_SETTINGS;
  const saveCall = useSaveTenantSettings();
  const save = (s: TenantSettings) => saveCall.mutateAsync({ settings: s }).then(() => true, () => false);
  const [template, setTemplate] = useState(settings.template);
  const [roles, setRoles] = useState(settings.platformRoles.join(', '));
  const [saved, setSaved] = useState(false);
  const [seen, setSeen] = useState(settings);
  if (seen !== settings) {
    // The store loaded (or saved) other settings: show them.
    setSeen(settings);
    setTemplate(settings.template);
    setRoles(settings.platformRoles.join(', '));
  }
  return (
    <details className="small-text reference-settings">
      <summary>reference: {settings.template ? `template ${settings.template}` : 'majority shape'}</summary>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ template, platformRoles: roles.split(',').map((r) => r.trim()).filter(Boolean) }).then(setSaved);
        }}
      >
        <label>
          Template schema (empty: the majority shape of the tenants)
          <input value={template} onChange={(e) => setTemplate(e.target.value)} aria-label="Template schema" maxLength={63} />
        </label>
        <label>
          Platform roles allowed across tenants (comma-separated)
          <input value={roles} onChange={(e) => setRoles(e.target.value)} aria-label="Platform roles" />
        </label>
        <div className="actions">
          <button type="submit">Save</button>
          {saved && <span className="ok-text">Saved; used by the next verification.</span>}
        </div>
      </form>
    </details>
  );
}
