// A board to act on, so that notifications have a cause: create or open
// one, add members, add cards, then assign, edit and comment on them.
// Assigning, editing and commenting notify the people concerned, unless
// they muted the board.
import { useMutation, useQuery } from '@apollo/client/react';
import { useId } from 'react';

import { describeError, ErrorMessage, useFormRequest } from '../errors';
import type { BoardQuery as BoardData, CardFieldsFragment, MeQuery } from '../gql/graphql';
import {
  AddBoardMemberMutation,
  AddCommentMutation,
  AssignCardMutation,
  BoardQuery,
  CreateBoardMutation,
  CreateCardMutation,
  MuteBoardMutation,
  UnmuteBoardMutation,
  UpdateCardMutation,
} from './operations';

type Member = NonNullable<BoardData['board']>['members'][number];

export function Boards({
  me,
  boardId,
  mutedBoardIds,
  onOpenBoard,
}: {
  me: MeQuery['me'];
  boardId: string | null;
  /** The boards the user muted; null until the live connection said. */
  mutedBoardIds: ReadonlySet<string> | null;
  onOpenBoard: (id: string) => void;
}) {
  const headingId = useId();
  return (
    <section className="boards" aria-labelledby={headingId}>
      <h2 id={headingId}>Boards</h2>
      <div className="forms">
        <CreateBoardForm onCreated={onOpenBoard} />
        <OpenBoardForm onOpen={onOpenBoard} />
      </div>
      {boardId !== null && (
        <BoardView key={boardId} id={boardId} me={me} mutedBoardIds={mutedBoardIds} />
      )}
    </section>
  );
}

function CreateBoardForm({ onCreated }: { onCreated: (id: string) => void }) {
  const id = useId();
  const [createBoard] = useMutation(CreateBoardMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Create a board"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const name = String(new FormData(form).get('name'));
        void submit(async () => {
          const { data } = await createBoard({ variables: { name } });
          if (data) {
            form.reset();
            onCreated(data.createBoard.id);
          }
        });
      }}
    >
      <label htmlFor={`${id}-name`}>Board name</label>
      <input id={`${id}-name`} name="name" required />
      <button type="submit" disabled={pending}>
        Create board
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function OpenBoardForm({ onOpen }: { onOpen: (id: string) => void }) {
  const id = useId();
  return (
    <form
      aria-label="Open a board"
      onSubmit={(event) => {
        event.preventDefault();
        onOpen(String(new FormData(event.currentTarget).get('boardId')).trim());
      }}
    >
      <label htmlFor={`${id}-board`}>Board id</label>
      <input id={`${id}-board`} name="boardId" required inputMode="numeric" />
      <button type="submit">Open board</button>
    </form>
  );
}

function BoardView({
  id,
  me,
  mutedBoardIds,
}: {
  id: string;
  me: MeQuery['me'];
  mutedBoardIds: ReadonlySet<string> | null;
}) {
  const headingId = useId();
  const { data, error, loading, refetch } = useQuery(BoardQuery, { variables: { id } });
  const reload = useFormRequest();
  if (loading && !data) return <p aria-busy="true">Loading board {id}…</p>;
  if (error) return <ErrorMessage error={describeError(error)} />;
  const board = data?.board;
  if (!board) {
    return (
      <p role="alert" className="error">
        <code>NOT_FOUND</code> Board {id} does not exist, or you are not one of its members.
      </p>
    );
  }
  const isOwner = board.owner.id === me.id;
  return (
    <article className="board" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {board.name} <span className="muted">(board id {board.id})</span>
      </h3>
      <p>
        Owner: {board.owner.name}. Members: {board.members.map((m) => m.name).join(', ')}.{' '}
        <button type="button" disabled={reload.pending} onClick={() => void reload.submit(refetch)}>
          Reload board
        </button>
      </p>
      <ErrorMessage error={reload.error} />
      {mutedBoardIds !== null && <MuteToggle boardId={board.id} muted={mutedBoardIds.has(board.id)} />}
      <div className="forms">
        {isOwner && <AddMemberForm boardId={board.id} />}
        <NewCardForm boardId={board.id} />
      </div>
      {board.cards.length === 0 ? (
        <p>No cards yet.</p>
      ) : (
        <ul className="cards">
          {board.cards.map((card) => (
            <li key={card.id}>
              <CardView card={card} members={board.members} />
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

/**
 * Mutes or unmutes the board for the user. It shows what the live `inbox`
 * subscription last said, so it follows a change made in another tab, and
 * flips here once Herald pushes the change back.
 */
function MuteToggle({ boardId, muted }: { boardId: string; muted: boolean }) {
  const id = useId();
  const [mute] = useMutation(MuteBoardMutation);
  const [unmute] = useMutation(UnmuteBoardMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <div className="toggle">
      <input
        id={id}
        type="checkbox"
        checked={muted}
        disabled={pending}
        onChange={() => void submit(() => (muted ? unmute : mute)({ variables: { boardId } }))}
      />
      <label htmlFor={id}>Mute notifications from this board</label>
      <ErrorMessage error={error} />
    </div>
  );
}

function AddMemberForm({ boardId }: { boardId: string }) {
  const id = useId();
  const [addMember] = useMutation(AddBoardMemberMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Add a member"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const userId = String(new FormData(form).get('userId')).trim();
        void submit(async () => {
          await addMember({ variables: { boardId, userId } });
          form.reset();
        });
      }}
    >
      <label htmlFor={`${id}-user`}>Member&apos;s user id</label>
      <input id={`${id}-user`} name="userId" required inputMode="numeric" />
      <button type="submit" disabled={pending}>
        Add member
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function NewCardForm({ boardId }: { boardId: string }) {
  const id = useId();
  const [createCard] = useMutation(CreateCardMutation, { refetchQueries: [BoardQuery] });
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Add a card"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const fields = new FormData(form);
        const description = String(fields.get('description')).trim();
        void submit(async () => {
          await createCard({
            variables: {
              boardId,
              title: String(fields.get('title')),
              description: description === '' ? null : description,
            },
            awaitRefetchQueries: true,
          });
          form.reset();
        });
      }}
    >
      <label htmlFor={`${id}-title`}>Card title</label>
      <input id={`${id}-title`} name="title" required />
      <label htmlFor={`${id}-description`}>Card description</label>
      <input id={`${id}-description`} name="description" />
      <button type="submit" disabled={pending}>
        Add card
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function CardView({ card, members }: { card: CardFieldsFragment; members: Member[] }) {
  const headingId = useId();
  return (
    <article className="card" aria-labelledby={headingId}>
      <h4 id={headingId}>{card.title}</h4>
      {card.description && <p>{card.description}</p>}
      <p className="meta">
        Created by {card.creator.name}. Assigned to:{' '}
        {card.assignees.length === 0 ? 'nobody' : card.assignees.map((a) => a.name).join(', ')}.
      </p>
      <div className="forms">
        <AssignForm card={card} members={members} />
        <EditCardForm card={card} />
      </div>
      <h5>Comments</h5>
      {card.comments.length === 0 ? (
        <p className="muted">No comments yet.</p>
      ) : (
        <ul className="comments">
          {card.comments.map((comment) => (
            <li key={comment.id}>
              <strong>{comment.author.name}:</strong> {comment.body}
            </li>
          ))}
        </ul>
      )}
      <CommentForm cardId={card.id} />
    </article>
  );
}

function AssignForm({ card, members }: { card: CardFieldsFragment; members: Member[] }) {
  const id = useId();
  const [assign] = useMutation(AssignCardMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Assign the card"
      onSubmit={(event) => {
        event.preventDefault();
        const userId = String(new FormData(event.currentTarget).get('userId'));
        void submit(() => assign({ variables: { cardId: card.id, userId } }));
      }}
    >
      <label htmlFor={`${id}-user`}>Assignee</label>
      <select id={`${id}-user`} name="userId" required>
        {members.map((member) => (
          <option key={member.id} value={member.id}>
            {member.name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={pending}>
        Assign
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function EditCardForm({ card }: { card: CardFieldsFragment }) {
  const id = useId();
  const [update] = useMutation(UpdateCardMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Edit the card"
      onSubmit={(event) => {
        event.preventDefault();
        const fields = new FormData(event.currentTarget);
        const description = String(fields.get('description')).trim();
        void submit(() =>
          update({
            variables: {
              id: card.id,
              input: {
                title: String(fields.get('title')),
                description: description === '' ? null : description,
              },
            },
          }),
        );
      }}
    >
      <label htmlFor={`${id}-title`}>Title</label>
      <input id={`${id}-title`} name="title" required defaultValue={card.title} />
      <label htmlFor={`${id}-description`}>Description</label>
      <input id={`${id}-description`} name="description" defaultValue={card.description ?? ''} />
      <button type="submit" disabled={pending}>
        Save card
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function CommentForm({ cardId }: { cardId: string }) {
  const id = useId();
  const [addComment] = useMutation(AddCommentMutation, { refetchQueries: [BoardQuery] });
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-label="Comment on the card"
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const body = String(new FormData(form).get('body'));
        void submit(async () => {
          await addComment({ variables: { cardId, body }, awaitRefetchQueries: true });
          form.reset();
        });
      }}
    >
      <label htmlFor={`${id}-body`}>Comment</label>
      <textarea id={`${id}-body`} name="body" required rows={2} />
      <button type="submit" disabled={pending}>
        Add comment
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
