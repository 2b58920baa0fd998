import type { PageProps } from '../app/routes';

export function HomePage(_: PageProps) {
  return (
    <section class="page">
      <h1>Vigil</h1>
    </section>
  );
}
