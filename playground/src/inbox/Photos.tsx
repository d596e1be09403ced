// Photo posts: follow someone, and post a picture that notifies your
// followers. The picture goes up as a GraphQL multipart request; Herald
// checks its bytes and refuses anything but PNG, JPEG, GIF or WebP with
// BAD_USER_INPUT.
import { useMutation } from '@apollo/client/react';
import { useId, useState } from 'react';

import { ErrorMessage, useFormRequest } from '../errors';
import type { UploadPostMutation as Posted } from '../gql/graphql';
import { FollowMutation, UploadPostMutation } from './operations';

export function Photos() {
  const headingId = useId();
  return (
    <section className="photos" aria-labelledby={headingId}>
      <h2 id={headingId}>Photos</h2>
      <div className="forms">
        <FollowForm />
        <PostPhotoForm />
      </div>
    </section>
  );
}

function FollowForm() {
  const id = useId();
  const [follow] = useMutation(FollowMutation);
  const [followed, setFollowed] = useState<string | null>(null);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Follow a user"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const userId = String(new FormData(form).get('userId')).trim();
        void submit(async () => {
          const { data } = await follow({ variables: { userId } });
          if (data) {
            setFollowed(data.follow.name);
            form.reset();
          }
        });
      }}
    >
      <label htmlFor={`${id}-user`}>User id to follow</label>
      <input id={`${id}-user`} name="userId" required inputMode="numeric" />
      <button type="submit" disabled={pending}>
        Follow
      </button>
      {followed !== null && <p>You follow {followed}: their photos will notify you.</p>}
      <ErrorMessage error={error} />
    </form>
  );
}

function PostPhotoForm() {
  const id = useId();
  const [upload] = useMutation(UploadPostMutation);
  const [posted, setPosted] = useState<Posted['uploadPost'] | null>(null);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Post a photo"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const fields = new FormData(form);
        const file = fields.get('photo');
        const caption = String(fields.get('caption')).trim();
        if (!(file instanceof File)) return;
        void submit(async () => {
          const { data } = await upload({
            variables: { file, caption: caption === '' ? null : caption },
          });
          if (data) {
            setPosted(data.uploadPost);
            form.reset();
          }
        });
      }}
    >
      <label htmlFor={`${id}-photo`}>Photo</label>
      <input id={`${id}-photo`} name="photo" type="file" accept="image/*" required />
      <label htmlFor={`${id}-caption`}>Caption</label>
      <input id={`${id}-caption`} name="caption" />
      <button type="submit" disabled={pending}>
        Post photo
      </button>
      <ErrorMessage error={error} />
      {posted && (
        <figure>
          <img className="thumbnail" src={posted.imageUrl} alt={posted.caption ?? 'Your photo'} />
          <figcaption>Posted{posted.caption ? `: ${posted.caption}` : ''}</figcaption>
        </figure>
      )}
    </form>
  );
}
