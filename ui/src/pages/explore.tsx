import type { PageProps } from '../app/routes';

export function ExplorePage(_: PageProps) {
  return (
    <section class="page">
      <h1>Explore</h1>
    </section>
  );
}
