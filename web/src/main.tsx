import { render } from 'preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app')!;
root.textContent = ''; // drop the "Loading…" placeholder (render appends to what is there)
render(<App />, root);
