// The UI's entry point: renders the shell into #root.
import { render } from 'preact';
import { Shell } from './app/shell';
import './styles.css';

const root = document.getElementById('root');
if (root) render(<Shell />, root);
