import { Audit } from '../components/secrets/Audit';
import { Inventory } from '../components/secrets/Inventory';
import { Sources } from '../components/secrets/Sources';

/** Secrets: where each connection's credential comes from, the audit, and the Secrets Manager inventory. */
export function SecretsPage() {
  return (
    <div className="page">
      <div className="page-head"><h1>Secrets</h1></div>
      <Sources />
      <Audit />
      <Inventory />
    </div>
  );
}
