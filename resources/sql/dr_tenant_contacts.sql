-- DR breach notification: each tenant's organisation and its owners' contacts, from PodcastFlow Pro's
-- shared tables (public.organizations, public.organization_members, public.users; see
-- resources/sql/demo/01_shared.sql). The console runs it only where those tables exist.
-- @param $1 tenants text[]: the tenant schemas to look up
-- Run it in psql: podcastflow-ops sql print dr_tenant_contacts --param tenants=org_a,org_b | psql URL
SELECT o.schema_name AS tenant,
       o.name AS organization,
       coalesce(jsonb_agg(jsonb_build_object('email', u.email, 'name', u.display_name) ORDER BY u.email)
                  FILTER (WHERE u.id IS NOT NULL), '[]'::jsonb) AS owners
FROM public.organizations o
LEFT JOIN public.organization_members m ON m.organization_id = o.id AND m.role = 'owner'
LEFT JOIN public.users u ON u.id = m.user_id
WHERE o.schema_name = ANY ($1::text[])
GROUP BY o.schema_name, o.name
ORDER BY o.schema_name;
