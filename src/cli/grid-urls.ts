/** Where a grid's services are: the device's (src/grid3/device/urls.ts), for the grid commands. */
export { liveUrls, urlsOf, type GridUrls } from '../grid3/device/urls.js';
