import type { PageProps } from '../app/routes';

export function NotFoundPage(_: PageProps) {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        Nothing lives at <code>{location.pathname}</code>. Try <a href="/explore">Explore</a> or the <a href="/">home page</a>.
      </p>
    </section>
  );
}
